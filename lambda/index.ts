/**
 * The main entry of the client package (`tournament-profile-client`): the tournament event
 * publisher (write side) and the profile read client (read side). Each is also its own entry
 * point: `/publisher` and `/reader`.
 */
export * from './client/index.ts';
export * from './publisher/index.ts';
