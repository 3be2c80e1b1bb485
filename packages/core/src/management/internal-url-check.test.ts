import { internalUrlRefusal } from './internal-url-check';

describe('internalUrlRefusal under ssrf.allow entries limited to a port', () => {
  const settings = (allow: string[]) => ({ current: { ssrf: { allowInternal: false, allow } } });

  it('judges the URL on the port it connects to (the scheme’s default when none is written)', () => {
    const limited = settings(['127.0.0.1:4000', '[::1]:443', 'localhost:8080']);
    expect(internalUrlRefusal('http://127.0.0.1:4000/hook', limited)).toBeUndefined();
    expect(internalUrlRefusal('http://127.0.0.1:3000/hook', limited)?.message).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery to 127\.0\.0\.1:3000 was refused: it is a loopback address/);
    expect(internalUrlRefusal('https://[::1]/hook', limited)).toBeUndefined();
    expect(internalUrlRefusal('http://[::1]/hook', limited)?.message).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery to \[::1\]:80 was refused/);
    expect(internalUrlRefusal('http://localhost:8080/hook', limited)).toBeUndefined();
    expect(internalUrlRefusal('http://localhost:8081/hook', limited)?.message).toMatch(/^HOOKWORK_ERR_SSRF_BLOCKED: delivery to localhost:8081 \(127\.0\.0\.1:8081\) was refused/);
  });

  it('a bare address still allows every port of it', () => {
    expect(internalUrlRefusal('http://127.0.0.1:3000/hook', settings(['127.0.0.1']))).toBeUndefined();
  });
});
