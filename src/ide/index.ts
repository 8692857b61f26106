// Public face of the IDE: the React application.
export { App } from './App';
