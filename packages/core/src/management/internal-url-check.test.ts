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

describe('internalUrlRefusal under an IPv6 ssrf.allow range', () => {
  const settings = (allow: string[]) => ({ current: { ssrf: { allowInternal: false, allow } } });

  it('says a URL of an IPv4-mapped literal will be refused: ::/0 allows IPv6 addresses, not the IPv4 ones mapped into it', () => {
    // The view's urlBlocked said nothing, and delivery connected to the metadata address.
    expect(internalUrlRefusal('http://[::ffff:a9fe:a9fe]/latest/meta-data/', settings(['::/0']))?.message).toMatch(
      /^HOOKWORK_ERR_SSRF_BLOCKED: delivery to ::ffff:a9fe:a9fe was refused: it is a link-local address/,
    );
    expect(internalUrlRefusal('http://[fd00::1]/hook', settings(['::/0']))).toBeUndefined();
    expect(internalUrlRefusal('http://[::ffff:a9fe:a9fe]/latest/meta-data/', settings(['::/0', '169.254.169.254']))).toBeUndefined();
  });
});
