// Safe mode: the image could not be opened normally. The failing objects are listed with
// their reasons; everything else stays usable (open another image, export, inspect).
import { openSingleton } from '../actions';

export interface SafeModeReport {
  imageName: string;
  reason: string;
  failures: { oid?: number; what: string; reason: string }[];
}

export function SafeModeWindow({ data }: { data: unknown }) {
  const report = data as SafeModeReport;
  return (
    <div className="safe-mode">
      <p role="alert">
        <strong>Safe mode.</strong> Image “{report.imageName}” did not load cleanly: {report.reason}. Nothing in it was
        repaired or changed. What failed is listed below; the rest of the IDE can be used, and the Images window opens
        another image.
      </p>
      <ul aria-label="Failing objects">
        {report.failures.map((f, i) => (
          <li key={i}>
            <span className="mono">{f.oid !== undefined ? `#${f.oid} ` : ''}{f.what}</span>: {f.reason}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => openSingleton('images')}>
        Images
      </button>
    </div>
  );
}
