export * from './recording-transport';
export * from './capturing-storage';
