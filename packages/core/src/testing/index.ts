export * from './recording-transport';
