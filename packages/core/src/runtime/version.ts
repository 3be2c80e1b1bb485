/** The product name hookwork sends in its default user agent (`hookwork/<version>`). */
export const HOOKWORK_PRODUCT = 'hookwork';

/** This release of `@hookwork/core`: the default user agent's version, the tracer's version and the catalogue document's default `info.version`. */
export const HOOKWORK_VERSION = '0.1.0';
