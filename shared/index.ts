export * from './api';
export * from './catalogue';
export * from './live';
export * from './senml';
export * from './topics';
export * from './units';
