/**
 * Starts Swagger UI (swagger-ui-dist, served by the admin plugin from the package) on the API's
 * OpenAPI document. Requests carry the admin page's token from this tab's session; the online
 * validator badge is off, so nothing is fetched from another origin.
 */
declare const SwaggerUIBundle: (config: Record<string, unknown>) => unknown;

const token = sessionStorage.getItem('hookwork-admin-token');
SwaggerUIBundle({
  url: new URL('api/v1/openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  requestInterceptor: (request: { headers: Record<string, string> }) => {
    if (token) request.headers.Authorization = `Bearer ${token}`;
    return request;
  },
});
