/**
 * The package's main entry: the tournament event publisher (write side) and the profile read
 * client (read side). Each is also its own entry point: `/publisher` and `/client`.
 */
export * from './client/index.ts';
export * from './publisher/index.ts';
