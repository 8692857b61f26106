// @ts-check
// The JavaScript that runs inside each QuickJS context before any method: dispatch caches,
// value conversion, mirrors, and the hardening of the VM's intrinsics. Lookup and dispatch
// happen here, in the VM; the host is called only on a cache miss, a write, a primitive
// (clone, describe, print) or a mirror operation. sandbox.ts evaluates this file's text (a
// raw import) as a script; its value is the table of entry points the host calls.
// Type-checked as JavaScript against the ES library only (no DOM: the VM has none), see
// vm/tsconfig.json; host.d.ts declares what the host hands in.
//
// Objects in the VM:
//   receiver  — one per OID, the `self` methods see. Its prototype is its *table*, whose own
//               properties are the selectors found so far (data/parent slots as accessors over
//               a per-holder value cache, methods as closures bound to this receiver). The
//               table's prototype is a Proxy that catches misses, asks the host, fills the table.
//   resend view — the same for `resend`, per (receiver, object where the method was found).
// `reset()` empties every table and value cache; the host calls it when the World changed in a
// way the VM did not make itself.
//
// Host functions arrive on `globalThis.__host` and are captured then deleted, so method code
// never sees them. Intrinsics are frozen afterwards (prototype pollution is refused), with
// `toString`, `name`, `message`, `constructor`... turned into accessors so that assigning them
// on an ordinary object still works (the "override mistake").
//
// The whole prelude is one function on purpose: everything in it closes over the captured host
// functions and intrinsics, which method code must never reach, and a script evaluated in a
// QuickJS context has no module scope to hide them in.

(function () {
  'use strict';
  const hostHolder = /** @type {{ __host?: TelosHost }} */ (/** @type {unknown} */ (globalThis));
  const host = /** @type {TelosHost} */ (hostHolder.__host);
  delete hostHolder.__host;
  // Host work counts against the deadline, but QuickJS asks its interrupt handler only every
  // few thousand VM operations, and an error a host function throws is one method code can
  // catch. So a host call made or ended past the deadline marks `overran`, and the VM then runs
  // until its interrupt handler stops it, right here: that error no catch can stop.
  const overran = { late: false };
  function stopIfLate() {
    if (overran.late) { overran.late = false; for (;;) { /* until interrupted */ } }
  }
  function guarded(f) {
    // Fixed arguments (at most the four of lookup), no rest array: nothing to allocate here.
    return function (a, b, c, d) {
      let answer;
      try {
        answer = f(a, b, c, d);
      } catch (e) {
        stopIfLate();
        throw e;
      }
      stopIfLate();
      return answer;
    };
  }
  const hostLookup = guarded(host.lookup), hostWrite = guarded(host.write), hostCompile = guarded(host.compile),
        hostPrim = guarded(host.prim), hostPrint = guarded(host.print), hostMirror = guarded(host.mirror);

  const O = Object, R = Reflect;
  const create = O.create, defineProperty = O.defineProperty, freeze = O.freeze,
        getProto = O.getPrototypeOf, getOwnDesc = O.getOwnPropertyDescriptor, preventExtensions = O.preventExtensions,
        ownKeys = R.ownKeys, rget = R.get, rset = R.set, rapply = R.apply;
  const isArray = Array.isArray, isView = ArrayBuffer.isView, parse = JSON.parse, stringify = JSON.stringify, isFinite_ = Number.isFinite;
  const ErrorC = Error, TypeErrorC = TypeError, RangeErrorC = RangeError, ProxyC = Proxy, MapC = Map, WeakMapC = WeakMap, WeakSetC = WeakSet, StringC = String;
  const mapGet = MapC.prototype.get, mapSet = MapC.prototype.set, mapClear = MapC.prototype.clear;
  const wmGet = WeakMapC.prototype.get, wmSet = WeakMapC.prototype.set, wsHas = WeakSetC.prototype.has, wsAdd = WeakSetC.prototype.add;
  const arrPush = Array.prototype.push, arrJoin = Array.prototype.join, strSlice = String.prototype.slice;
  const call = (f, self, ...args) => rapply(f, self, args);

  const receivers = new MapC();     // oid -> receiver
  const resendViews = new MapC();   // "self/at" -> resend view
  const tables = [];                // every table, for reset
  const tableSet = new WeakSetC();  // the same, to hide them from method code
  const viewInfo = new WeakMapC();  // receiver or resend view -> { self, at, resend }
  const cells = new MapC();         // "holder/slot" -> { get, set } over the slot's cached value
  const factories = new MapC();     // method id -> factory (self, resend) -> method closure
  const blobs = new WeakSetC();     // frozen blob references handed out
  const tamedGetters = new WeakSetC();

  function telosError(data) {
    const e = new ErrorC(data.message);
    for (const k of O.keys(data)) if (k !== 'message' && k !== 'stack') defineProperty(e, k, { value: data[k], writable: true, enumerable: k !== 'name', configurable: true });
    return e;
  }
  function invalid(message) { return telosError({ name: 'InvalidInput', message: message }); }

  // JS protocol probes (string conversion, promise/JSON checks) answer quietly instead of
  // raising MessageNotUnderstood, so 'x: ' + obj and await obj behave.
  const quietProbes = { then: 1, toJSON: 1, valueOf: 1, constructor: 1, inspect: 1, asymmetricMatch: 1, nodeType: 1, $$typeof: 1 };

  const trap = new ProxyC(create(null), {
    get(_target, key, view) {
      if (typeof key === 'symbol') return undefined;
      return fill(view, key, 'get');
    },
    set(_target, key, value, view) {
      if (typeof key === 'symbol') throw invalid('symbols cannot be slot names');
      fill(view, key, 'set', value);
      return true;
    },
    has() { return false; },
    defineProperty() { return false; },
    getPrototypeOf() { return null; },
    setPrototypeOf() { return false; },
  });

  function fill(view, key, op, value) {
    const info = call(wmGet, viewInfo, view);
    if (info === undefined) return undefined;
    const answer = parse(hostLookup(info.self, info.at, info.resend ? 1 : 0, key));
    if (answer.k === 'e') {
      if (op === 'get' && answer.error.name === 'MessageNotUnderstood') {
        if (key === 'toString') return function () { return describe(view); };
        if (quietProbes[key] === 1) return undefined;
      }
      throw telosError(answer.error);
    }
    const table = getProto(view);
    install(table, info, key, answer);
    if (op === 'get') return rget(table, key, view);
    if (!rset(table, key, value, view)) throw new TypeErrorC("'" + key + "' is a method of #" + answer.h + '; change it with reflect(o).setMethod');
    return true;
  }

  function install(table, info, key, a) {
    if (a.k === 'm') {
      let factory = call(mapGet, factories, a.id);
      if (factory === undefined) { factory = hostCompile(a.id); call(mapSet, factories, a.id, factory); }
      const self = receiverFor(info.self);
      const method = factory(self, a.r ? resendFor(info.self, a.at) : undefined);
      if (typeof method !== 'function') throw invalid('the method ' + key + ' of #' + a.h + ' is not a function expression');
      defineProperty(table, key, { value: method, writable: false, enumerable: true, configurable: true });
      return;
    }
    // data or parent slot: one getter/setter pair per holder slot, shared by every receiver
    // that finds the slot there, closing over the cached value
    const cellKey = a.h + '/' + key;
    let cell = call(mapGet, cells, cellKey);
    if (cell === undefined) {
      cell = makeCell(a.h, key, fromWire(a.v), a.c);
      call(mapSet, cells, cellKey, cell);
    }
    defineProperty(table, key, { get: cell.get, set: cell.set, enumerable: true, configurable: true });
  }

  function makeCell(holder, key, initial, constant) {
    let value = initial;
    return {
      get: function () { return value; },
      set: constant
        ? function () { throw invalid("'" + key + "' on #" + holder + ' is a constant slot'); }
        : function (v) {
            const wire = toWire(v, 0);
            const err = hostWrite(holder, key, stringify(wire));
            if (err !== '') throw telosError(parse(err));
            value = fromWire(wire);
          },
    };
  }

  function newView(info) {
    const table = create(trap);
    arrPush.call(tables, table);
    call(wsAdd, tableSet, table);
    const view = create(table);
    defineProperty(view, 'oid', { value: info.self, enumerable: false });
    preventExtensions(view);
    call(wmSet, viewInfo, view, info);
    return view;
  }

  function receiverFor(oid) {
    let r = call(mapGet, receivers, oid);
    if (r === undefined) { r = newView({ self: oid, at: oid, resend: false }); call(mapSet, receivers, oid, r); }
    return r;
  }

  function resendFor(self, at) {
    const key = self + '/' + at;
    let v = call(mapGet, resendViews, key);
    if (v === undefined) { v = newView({ self: self, at: at, resend: true }); call(mapSet, resendViews, key, v); }
    return v;
  }

  function isReceiver(v) {
    const info = call(wmGet, viewInfo, v);
    return info !== undefined && !info.resend;
  }

  // ---- values between the VM and the World (JSON on the wire; the host validates again)

  function fromWire(w) {
    if (w === null || typeof w !== 'object') return w;
    if (isArray(w)) { const out = []; for (let i = 0; i < w.length; i++) out[i] = fromWire(w[i]); return freeze(out); }
    if (typeof w.ref === 'number') return receiverFor(w.ref);
    const b = freeze({ blob: w.blob, size: w.size, type: w.type });
    call(wsAdd, blobs, b);
    return b;
  }

  function toWire(v, depth) {
    if (depth > 64) throw invalid('value is nested deeper than 64 lists');
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (!isFinite_(v)) throw invalid(v + ' cannot be stored: numbers must be finite');
      return v;
    }
    if (v === undefined) throw invalid('undefined cannot be stored in a slot; use null');
    if (typeof v === 'object' || typeof v === 'function') {
      const info = call(wmGet, viewInfo, v);
      if (info !== undefined) {
        if (info.resend) throw invalid('resend is not an object and cannot be stored');
        return { ref: info.self };
      }
      if (call(wsHas, blobs, v)) return { blob: v.blob, size: v.size, type: v.type };
      if (isArray(v)) {
        const out = [];
        const n = v.length;
        for (let i = 0; i < n; i++) out[i] = toWire(v[i], depth + 1);
        return out;
      }
    }
    throw invalid('only null, booleans, numbers, strings, lists and objects of the World can be stored in a slot, not ' + kindOf(v));
  }

  function kindOf(v) {
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'object') return isArray(v) ? 'a list' : 'a plain JavaScript object (clone a World object instead)';
    return typeof v;
  }

  // ---- reading values without running their code (getters are never called)

  function safeGet(obj, key) {
    let o = obj;
    for (let depth = 0; o !== null && depth < 32; depth++) {
      const d = getOwnDesc(o, key);
      if (d !== undefined) {
        if ('value' in d) return d.value;
        if (d.get !== undefined && call(wsHas, tamedGetters, d.get)) return call(d.get, obj);
        return undefined;
      }
      o = getProto(o);
    }
    return undefined;
  }

  function describe(r) {
    return hostPrim('describe', call(wmGet, viewInfo, r).self);
  }

  // Text handed to the host is bounded: an error report's name, message and fields, its stack
  // (head and tail kept, where the innermost and outermost frames are), and how a value shows.
  const NAME_MAX = 200, TEXT_MAX = 16384, STACK_MAX = 32768, NESTED_STRING_MAX = 1000, DISPLAY_MAX = 1 << 20;
  function cut(s, n) { return s.length <= n ? s : call(strSlice, s, 0, n - 1) + '…'; }
  function cutStack(s) {
    return s.length <= STACK_MAX ? s : call(strSlice, s, 0, STACK_MAX / 2) + '\n' + call(strSlice, s, s.length - STACK_MAX / 2);
  }

  // What display may still write (a shared allowance, so nested lists and objects cannot
  // multiply it); set by each entry point that displays.
  let displayLeft = DISPLAY_MAX;
  function displayed(limit, v, depth) {
    displayLeft = limit;
    return cut(display(v, depth), limit);
  }

  function display(v, depth) {
    if (displayLeft <= 0) return '…';
    const text = displayOnce(v, depth);
    displayLeft -= text.length;
    return text;
  }

  function displayOnce(v, depth) {
    if (v === undefined) return 'undefined';
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return StringC(v);
    if (typeof v === 'string') return stringify(depth === 0 ? cut(v, displayLeft) : cut(v, NESTED_STRING_MAX));
    if (typeof v === 'bigint') { const bits = bigBitsOver(v); return bits ? '<a BigInt of about ' + bits + ' bits, too long to write in decimal>' : StringC(v) + 'n'; }
    if (typeof v === 'symbol') return 'Symbol()';
    if (isReceiver(v)) {
      const p = printStringOf(v);
      return p;
    }
    if (typeof v === 'function') { const n = safeGet(v, 'name'); return 'function ' + (typeof n === 'string' && n ? n : '(anonymous)'); }
    if (depth > 3) return '…';
    if (isArray(v)) {
      const parts = [];
      const n = v.length < 100 ? v.length : 100;
      for (let i = 0; i < n && displayLeft > 0; i++) { const d = getOwnDesc(v, i); call(arrPush, parts, d && 'value' in d ? display(d.value, depth + 1) : '<getter>'); }
      if (v.length > 100) call(arrPush, parts, '… ' + (v.length - 100) + ' more');
      return '[' + call(arrJoin, parts, ', ') + ']';
    }
    if (call(wsHas, blobs, v)) return 'blob ' + v.blob + ' (' + v.size + ' bytes, ' + v.type + ')';
    // Binary data by its kind and size: listing a typed array's keys makes a string per element.
    if (isView(v) || v instanceof ArrayBuffer) return binaryKind(v);
    const parts = [];
    const keys = ownKeys(v);
    for (let i = 0; i < keys.length && i < 50 && displayLeft > 0; i++) {
      const k = keys[i];
      if (typeof k === 'symbol') continue;
      const d = getOwnDesc(v, k);
      if (d === undefined || !d.enumerable) continue; // a Proxy may list keys it has not
      call(arrPush, parts, k + ': ' + ('value' in d ? display(d.value, depth + 1) : '<getter>'));
    }
    const tag = safeGet(v, 'name');
    const isErr = v instanceof ErrorC;
    if (isErr) return StringC(typeof tag === 'string' ? tag : 'Error') + ': ' + StringC(safeGet(v, 'message'));
    return '{' + call(arrJoin, parts, ', ') + '}';
  }

  // The intrinsic getters that say what binary data is (captured now: method code may shadow them).
  const typedArrayProto = getProto(Uint8Array.prototype);
  const intrinsicGetter = (o, k) => { const d = getOwnDesc(o, k); return d !== undefined ? d.get : undefined; };
  const typedArrayTag = intrinsicGetter(typedArrayProto, Symbol.toStringTag), typedArrayBytes = intrinsicGetter(typedArrayProto, 'byteLength');
  const dataViewBytes = intrinsicGetter(DataView.prototype, 'byteLength'), arrayBufferBytes = intrinsicGetter(ArrayBuffer.prototype, 'byteLength');
  function binaryKind(v) {
    try {
      const tag = typedArrayTag && call(typedArrayTag, v);
      if (typeof tag === 'string') return tag + '(' + call(typedArrayBytes, v) + ' bytes)';
      if (isView(v)) return 'DataView(' + call(dataViewBytes, v) + ' bytes)';
      return 'ArrayBuffer(' + call(arrayBufferBytes, v) + ' bytes)';
    } catch (e) {
      return 'binary data';
    }
  }

  function printStringOf(r) {
    // printString is a send like any other: it runs under the same deadline.
    let p;
    try {
      const m = r.printString;
      p = typeof m === 'function' ? m() : undefined;
    } catch (e) {
      p = undefined;
    }
    return typeof p === 'string' ? p : describe(r);
  }

  function resultOf(v) {
    let value = null;
    try { value = toWire(v, 0); } catch (e) { value = null; }
    return stringify({ value: value, display: displayed(DISPLAY_MAX, v, 0), type: v === null ? 'null' : isReceiver(v) ? 'object' : isArray(v) ? 'list' : typeof v });
  }

  // A thrown value as plain, bounded data: name, message, stack and at most ERROR_FIELDS_MAX
  // other own fields (primitives, or short lists of them). The host keeps only the fields it
  // knows and checks them again (see errors.ts).
  const ERROR_FIELDS_MAX = 32, ERROR_LIST_MAX = 64;
  function errorOf(e) {
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) {
      return stringify({ name: 'Error', message: 'thrown: ' + displayed(TEXT_MAX, e, 1), stack: '' });
    }
    const out = { name: 'Error', message: '', stack: '' };
    const name = safeGet(e, 'name'), message = safeGet(e, 'message'), stack = safeGet(e, 'stack');
    if (typeof name === 'string') out.name = cut(name, NAME_MAX);
    out.message = typeof message === 'string' ? cut(message, TEXT_MAX) : displayed(TEXT_MAX, e, 1);
    if (typeof stack === 'string') out.stack = cutStack(stack);
    // Fields come from ordinary objects and errors; lists and binary data have none worth a
    // key per element.
    if (isArray(e) || isView(e) || e instanceof ArrayBuffer) return stringify(out);
    const keys = ownKeys(e);
    for (let i = 0, taken = 0; i < keys.length && taken < ERROR_FIELDS_MAX; i++) {
      const k = keys[i];
      if (typeof k !== 'string' || k === 'name' || k === 'message' || k === 'stack') continue;
      const d = getOwnDesc(e, k);
      if (d === undefined || !('value' in d)) continue;
      const x = d.value;
      taken++;
      if (typeof x === 'string') out[k] = cut(x, TEXT_MAX);
      else if (x === null || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
      else if (isArray(x) && x.length <= ERROR_LIST_MAX) out[k] = primitivesOf(x);
    }
    return stringify(out);
  }
  /** A short list's elements that are primitives held as data (no getter runs); others are null. */
  function primitivesOf(list) {
    const out = [];
    for (let i = 0; i < list.length; i++) {
      const d = getOwnDesc(list, i);
      const x = d !== undefined && 'value' in d ? d.value : null;
      call(arrPush, out, typeof x === 'string' ? cut(x, NAME_MAX) : typeof x === 'number' || typeof x === 'boolean' ? x : null);
    }
    return out;
  }

  // ---- primitives and mirrors

  function oidOfArg(o, what) {
    const info = call(wmGet, viewInfo, o);
    if (info === undefined || info.resend) throw invalid(what + ' must be an object of the World, not ' + kindOf(o));
    return info.self;
  }

  function mirrorCall(op, oid, args) {
    const answer = parse(hostMirror(op, oid, stringify(args)));
    if (answer.error) throw telosError(answer.error);
    return fromResult(answer.result);
  }

  // Mirror results: plain records whose {ref} leaves become receivers.
  function fromResult(x) {
    if (x === null || typeof x !== 'object') return x;
    if (isArray(x)) { const out = []; for (let i = 0; i < x.length; i++) out[i] = fromResult(x[i]); return out; }
    if (typeof x.ref === 'number' && O.keys(x).length === 1) return receiverFor(x.ref);
    if (typeof x.blob === 'string' && O.keys(x).length === 3) return fromWire(x);
    const out = {};
    const keys = O.keys(x);
    for (let i = 0; i < keys.length; i++) out[keys[i]] = fromResult(x[keys[i]]);
    return out;
  }

  function wireOpts(o) {
    if (o === undefined || o === null) return {};
    if (typeof o !== 'object') throw invalid('options must be an object');
    const out = {};
    const keys = O.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i], d = getOwnDesc(o, k);
      if (d === undefined || !('value' in d)) continue;
      const v = d.value;
      if (k === 'exclude' || k === 'alias' || k === 'kind' || k === 'category' || k === 'comment' || k === 'constant') {
        out[k] = k === 'alias' && v && typeof v === 'object' ? O.assign({}, v) : k === 'exclude' && isArray(v) ? /** @type {unknown[]} */ ([]).concat(v) : v;
      }
    }
    return out;
  }

  function reflect(o) {
    const oid = oidOfArg(o, 'reflect(o): o');
    const m = {
      oid: function () { return oid; },
      name: function () { return mirrorCall('name', oid, []); },
      setName: function (name) { return mirrorCall('setName', oid, [name]); },
      slots: function () { return mirrorCall('slots', oid, []); },
      slot: function (name) { return mirrorCall('slot', oid, [name]); },
      addSlot: function (name, value, opts) {
        const w = wireOpts(opts);
        const isMethod = w.kind === 'method';
        return mirrorCall('addSlot', oid, [name, isMethod ? value : toWire(value === undefined ? null : value, 0), w]);
      },
      removeSlot: function (name) { return mirrorCall('removeSlot', oid, [name]); },
      renameSlot: function (oldName, newName) { return mirrorCall('renameSlot', oid, [oldName, newName]); },
      moveSlot: function (name, index) { return mirrorCall('moveSlot', oid, [name, index]); },
      setCategory: function (name, category) { return mirrorCall('setCategory', oid, [name, category]); },
      setComment: function (name, comment) { return mirrorCall('setComment', oid, [name, comment]); },
      setMethod: function (name, source) { return mirrorCall('setMethod', oid, [name, source]); },
      addParent: function (name, parent) { return mirrorCall('addParent', oid, [name, oidOfArg(parent, 'addParent: the parent')]); },
      useTrait: function (trait, opts) { return mirrorCall('useTrait', oid, [oidOfArg(trait, 'useTrait: the trait'), wireOpts(opts)]); },
      removeTrait: function (trait) { return mirrorCall('removeTrait', oid, [oidOfArg(trait, 'removeTrait: the trait')]); },
      traits: function () { return mirrorCall('traits', oid, []); },
      conflicts: function () { return mirrorCall('conflicts', oid, []); },
      requires: function () { return mirrorCall('requires', oid, []); },
      references: function () { return mirrorCall('references', oid, []); },
      methods: function () { return mirrorCall('methods', oid, []); },
      lookup: function (selector) { return mirrorCall('lookup', oid, [selector]); },
      object: function () { return o; },
    };
    return freeze(m);
  }

  function _clone(o) {
    return receiverFor(parse(hostPrim('clone', oidOfArg(o, '_clone: the argument'))));
  }
  function _describe(o) { return describe(receiverFor(oidOfArg(o, '_describe: the argument'))); }
  // One Transcript line is cut in the VM, before it crosses to the host: printing a 16 MiB
  // string hands the host 64 Ki characters and a note of how many were cut, not 16 MiB.
  const LINE_MAX = 65536;
  function print(v) {
    const text = typeof v === 'string' ? v : displayed(LINE_MAX, v, 0);
    hostPrint(text.length <= LINE_MAX ? text : call(strSlice, text, 0, LINE_MAX) + '… (' + (text.length - LINE_MAX) + ' chars cut)');
    return v;
  }

  // ---- promise rejections nobody handles (see Sandbox.topLevel)
  //
  // QuickJS as packaged has no host rejection tracker, so the VM keeps the count itself, per
  // rejection reason: +1 when a promise it can see rejects (one made by Promise.reject, then,
  // catch, finally or a combinator) or when an error escapes an async function's body (the
  // sandbox wraps those bodies to call __telosAsyncThrew); -1 when a promise that someone
  // handles (then, await, Promise.resolve: each reads its 'constructor') rejects. A reason
  // left with a positive count when the evaluation's jobs have run was never handled.
  const PromiseC = Promise, promiseProto = Promise.prototype;
  const intrinsicThen = promiseProto.then, intrinsicReject = Promise.reject;
  const rejectionCounts = new MapC();
  let rejectionOrder = [];
  const handledPromises = new WeakSetC(), watchedPromises = new WeakSetC();
  let observing = false;
  function countRejection(reason, delta) {
    const n = call(mapGet, rejectionCounts, reason);
    call(mapSet, rejectionCounts, reason, (n === undefined ? 0 : n) + delta);
    if (delta > 0) call(arrPush, rejectionOrder, reason);
  }
  function observe(p, delta) {
    observing = true;
    try { rapply(intrinsicThen, p, [undefined, function (r) { countRejection(r, delta); }]); }
    catch (e) { /* not a promise */ }
    finally { observing = false; }
  }
  function watch(p) {
    if (observing || p === null || typeof p !== 'object' || call(wsHas, watchedPromises, p)) return;
    call(wsAdd, watchedPromises, p);
    observe(p, 1);
  }
  function markHandled(p) {
    if (observing || p === null || typeof p !== 'object' || call(wsHas, handledPromises, p)) return;
    call(wsAdd, handledPromises, p);
    observe(p, -1);
  }
  defineProperty(promiseProto, 'then', {
    value: function then(onFulfilled, onRejected) {
      markHandled(this);
      const derived = rapply(intrinsicThen, this, [onFulfilled, onRejected]);
      watch(derived);
      return derived;
    },
    writable: true, enumerable: false, configurable: true,
  });
  defineProperty(promiseProto, 'constructor', {
    get: function () { markHandled(this); return PromiseC; },
    set: function (v) {
      if (this === promiseProto) throw new TypeErrorC('cannot change the built-in constructor');
      defineProperty(this, 'constructor', { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: false, configurable: false,
  });
  defineProperty(PromiseC, 'reject', {
    value: function reject(reason) { const p = rapply(intrinsicReject, this, [reason]); watch(p); return p; },
    writable: true, enumerable: false, configurable: true,
  });
  const combinators = ['all', 'allSettled', 'any', 'race'];
  for (let i = 0; i < combinators.length; i++) {
    const name = combinators[i], original = PromiseC[name];
    if (typeof original !== 'function') continue;
    const wrapped = { [name]: function (iterable) { const p = rapply(original, this, [iterable]); watch(p); return p; } }[name];
    defineProperty(PromiseC, name, { value: wrapped, writable: true, enumerable: false, configurable: true });
  }
  function asyncThrew(reason) { countRejection(reason, 1); }
  /** mode 0: forget; mode 1: throw the first reason nobody handled (then forget). */
  function rejections(mode) {
    const order = rejectionOrder;
    rejectionOrder = [];
    let unhandled = false, reason;
    if (mode === 1) {
      for (let i = 0; i < order.length && !unhandled; i++) {
        const n = call(mapGet, rejectionCounts, order[i]);
        if (n !== undefined && n > 0) { unhandled = true; reason = order[i]; }
      }
    }
    call(mapClear, rejectionCounts);
    if (unhandled) throw reason;
    return undefined;
  }

  // ---- entry points for the host

  let currentSelf = null, currentResend = undefined;

  function reset() {
    for (let i = 0; i < tables.length; i++) {
      const t = tables[i];
      const keys = ownKeys(t);
      for (let j = 0; j < keys.length; j++) delete t[keys[j]];
    }
    call(mapClear, cells);
  }
  function setSelf(oid) {
    currentSelf = receiverFor(oid);
    currentResend = resendFor(oid, oid);
  }
  function runFactory(factory) {
    return resultOf(factory(currentSelf, currentResend));
  }
  function send(oid, selector, argsJson) {
    const r = receiverFor(oid);
    const args = fromWire(parse(argsJson));
    const m = r[selector];
    return resultOf(typeof m === 'function' ? rapply(m, undefined, args) : m);
  }
  function drop() {
    // Forget receivers too (after a long session the host may rebuild caches from scratch).
    reset();
    call(mapClear, receivers);
    call(mapClear, resendViews);
    call(mapClear, factories);
    tables.length = 0;
  }

  // ---- globals method code sees, then hardening

  const globals = { print: print, reflect: reflect, _clone: _clone, _describe: _describe, __telosAsyncThrew: asyncThrew };
  for (const k of O.keys(globals)) defineProperty(globalThis, k, { value: globals[k], enumerable: false });
  defineProperty(globalThis, 'self', { get: function () { return currentSelf; }, enumerable: false });
  defineProperty(globalThis, 'resend', { get: function () { return currentResend; }, enumerable: false });

  // A receiver's table is the VM's cache of the World, shared by later evaluations: method code
  // must not reach it (defining 'area' on it would change Circle without the World knowing).
  // Views are non-extensible, so the only way in is asking for a view's prototype.
  function hideTable(p) { return p !== null && (typeof p === 'object' || typeof p === 'function') && call(wsHas, tableSet, p) ? null : p; }
  const rGetProto = R.getPrototypeOf;
  defineProperty(O, 'getPrototypeOf', { value: function getPrototypeOf(o) { return hideTable(getProto(o)); }, writable: true, enumerable: false, configurable: true });
  defineProperty(R, 'getPrototypeOf', { value: function getPrototypeOf(o) { return hideTable(call(rGetProto, R, o)); }, writable: true, enumerable: false, configurable: true });
  const protoAccessor = getOwnDesc(O.prototype, '__proto__');
  if (protoAccessor !== undefined && protoAccessor.get !== undefined) {
    const protoGet = protoAccessor.get;
    defineProperty(O.prototype, '__proto__', { get: function () { return hideTable(call(protoGet, this)); }, set: protoAccessor.set, enumerable: false, configurable: true });
  }

  // Builtins that run long in C: QuickJS asks its interrupt handler (the deadline) only between
  // VM operations, never inside one builtin, so a sort of 32 Mi elements or the decimal text of
  // a BigInt of a million bits (quadratic: some 10 s) ran on past any deadline. Big sorts without
  // a comparator go through one that gives the same order (each comparison is then a call the
  // deadline can stop), and a BigInt too long to write in decimal quickly is refused by name.
  const TYPED_SORT_NATIVE = 1 << 18, ARRAY_SORT_NATIVE = 1 << 16;
  const typedProto = getProto(Uint8Array.prototype);
  // A typed array's length read through the intrinsic getter: an own or inherited `length`
  // property can lie about it, the native sort cannot be told.
  const typedLength = intrinsicGetter(typedProto, 'length');
  /** The default order of a typed array: ascending, -0 before +0, NaN last. */
  function typedOrder(x, y) {
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === y) return x === 0 && typeof x === 'number' ? (1 / x < 1 / y ? -1 : 1 / x > 1 / y ? 1 : 0) : 0;
    return x !== x ? (y !== y ? 0 : 1) : -1;
  }
  /** The default order of a list: by the items' text (undefined and holes go last without a call). */
  function textOrder(x, y) {
    const a = StringC(x), b = StringC(y);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  /** The comparator a sort runs with: a big one without its own gets the default order as a call.
   * A list's length is its own (an array's cannot lie; a proxy's element reads are calls the
   * deadline sees); any other receiver always gets the call. */
  const typedCompare = (self, compare) => (compare === undefined && call(typedLength, self) > TYPED_SORT_NATIVE ? typedOrder : compare);
  const listCompare = (self, compare) => (compare === undefined && (!isArray(self) || self.length > ARRAY_SORT_NATIVE) ? textOrder : compare);
  function guardSort(proto, name, comparator) {
    const native = proto[name];
    if (typeof native !== 'function') return;
    defineProperty(proto, name, {
      value: { [name](compare) { return call(native, this, comparator(this, compare)); } }[name],
      writable: true, enumerable: false, configurable: true,
    });
  }
  guardSort(typedProto, 'sort', typedCompare);
  guardSort(typedProto, 'toSorted', typedCompare);
  guardSort(Array.prototype, 'sort', listCompare);
  guardSort(Array.prototype, 'toSorted', listCompare);
  /** Bits of a BigInt past which its decimal text takes more than some 100 ms to write. */
  const BIGINT_DECIMAL_BITS = 131072;
  const bigToString = BigInt.prototype.toString, bigToLocale = BigInt.prototype.toLocaleString, bigValueOf = BigInt.prototype.valueOf;
  const NumberC = Number, truncC = Math.trunc;
  /** The bit length of a BigInt, when it is over the decimal limit (hex text is linear to write). */
  function bigBitsOver(v) {
    const hex = call(bigToString, v < 0n ? -v : v, 16);
    const bits = hex.length * 4;
    return bits > BIGINT_DECIMAL_BITS + 4 ? bits : 0;
  }
  function bigTooLong(bits) {
    return new RangeErrorC('a BigInt of about ' + bits + ' bits is too long to write in decimal (the limit is ' + BIGINT_DECIMAL_BITS + ' bits); toString(16) writes it in hex');
  }
  // The receiver is unwrapped once (a boxed BigInt too) and the radix converted once, so the
  // check and the native conversion see the same plain values.
  defineProperty(BigInt.prototype, 'toString', {
    value: function toString(radix) {
      const v = call(bigValueOf, this);
      const r = radix === undefined ? 10 : truncC(NumberC(radix));
      if ((r & (r - 1)) !== 0) { const bits = bigBitsOver(v); if (bits) throw bigTooLong(bits); }
      return call(bigToString, v, r);
    },
    writable: true, enumerable: false, configurable: true,
  });
  defineProperty(BigInt.prototype, 'toLocaleString', {
    value: function toLocaleString() {
      const v = call(bigValueOf, this);
      const bits = bigBitsOver(v);
      if (bits) throw bigTooLong(bits);
      return call(bigToLocale, v);
    },
    writable: true, enumerable: false, configurable: true,
  });

  // Make inherited data properties of these prototypes overridable by assignment on ordinary
  // objects even once frozen (obj.toString = ..., err.name = ...).
  function tame(proto, names) {
    for (let i = 0; i < names.length; i++) {
      const name = names[i], d = getOwnDesc(proto, name);
      if (d === undefined || !('value' in d)) continue;
      const value = d.value;
      const getter = function () { return value; };
      call(wsAdd, tamedGetters, getter);
      defineProperty(proto, name, {
        get: getter,
        set: function (v) {
          if (this === proto) throw new TypeErrorC('cannot change the built-in ' + name);
          defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
        },
        enumerable: d.enumerable,
        configurable: false,
      });
    }
  }
  tame(O.prototype, ['toString', 'valueOf', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString']);
  tame(Function.prototype, ['toString', 'constructor', 'call', 'apply', 'bind']);
  /** @type {{ prototype: object }[]} */
  const errorCtors = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];
  if (typeof AggregateError === 'function') errorCtors.push(AggregateError);
  for (let i = 0; i < errorCtors.length; i++) tame(errorCtors[i].prototype, ['name', 'message', 'toString', 'constructor']);

  function harden(root) {
    const stack = [root];
    const seen = new WeakSetC();
    while (stack.length) {
      const o = stack.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || call(wsHas, seen, o)) continue;
      call(wsAdd, seen, o);
      freeze(o);
      call(arrPush, stack, getProto(o));
      const keys = ownKeys(o);
      for (let i = 0; i < keys.length; i++) {
        const d = getOwnDesc(o, keys[i]);
        if (d === undefined) continue;
        if ('value' in d) call(arrPush, stack, d.value);
        else { call(arrPush, stack, d.get); call(arrPush, stack, d.set); }
      }
    }
  }
  // Intrinsics reachable only through syntax.
  harden(getProto(function* () {}));
  harden(getProto(async function () {}));
  harden(getProto(async function* () {}));
  harden(getProto([][Symbol.iterator]()));
  harden(globalThis);

  return { reset: reset, drop: drop, setSelf: setSelf, runFactory: runFactory, send: send, resultOf: resultOf, errorOf: errorOf, rejections: rejections, overran: overran };
})();
