export * from './define-notification';
export * from './content-notifications';
export * from './media-notifications';
export * from './content-type-notifications';
export * from './other-notifications';
export * from './file-notifications';
export * from './member-notifications';
export * from './user-notifications';
