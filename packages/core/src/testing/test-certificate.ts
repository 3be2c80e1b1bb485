/**
 * A self-signed certificate for 127.0.0.1 (valid 100 years) and its key, for https receivers in
 * transport tests: a transport must refuse it, and trust it once it is given as `delivery.tls.ca`.
 * Made with:
 *
 *     openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
 *       -days 36500 -subj "/CN=hookwork test receiver" -addext "subjectAltName=IP:127.0.0.1"
 *
 * Test material only: the key is public.
 */
export const TEST_RECEIVER_CERT: string = `-----BEGIN CERTIFICATE-----
MIIDNjCCAh6gAwIBAgIUYRZ+hk9QFKwIx51pv8toxs6xTpAwDQYJKoZIhvcNAQEL
BQAwITEfMB0GA1UEAwwWaG9va3dvcmsgdGVzdCByZWNlaXZlcjAgFw0yNjExMjIw
NjE5MzBaGA8yMTI2MTAyOTA2MTkzMFowITEfMB0GA1UEAwwWaG9va3dvcmsgdGVz
dCByZWNlaXZlcjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAO+/gfZH
4A559QgGaNblKfAxC7/Iz/X7ZIigkLyNkYndQmARkMh18/oU/HxeeXINiQFQ3KSI
SkXBgjOd/ay3XZ/3Ci2xJd7qom4pPm/mnXY5N8cDGT6dST4YY/mKHiNKIGotarNG
gDejc/22CHPaGTJHylVEm3acZFFxDUbxr6kD5PaNrLe1B2hO+CysS+NrHvbmyJA8
krgWNPsZENVe2d3riisNR/OvB8yw2GeK1LpRZNtVZRHGkspIoCL52KoKENaRiisz
aKSCNZpnMQ7MZaQi3gH5Z2ivP/70tFuz1ZxieNYUvUUq099IkldwgXaUVLISxwHp
Z4Udp7SuK2pbOSsCAwEAAaNkMGIwHQYDVR0OBBYEFLOn0NW6El7ZW1iYhiORJ+CO
pgMVMB8GA1UdIwQYMBaAFLOn0NW6El7ZW1iYhiORJ+COpgMVMA8GA1UdEwEB/wQF
MAMBAf8wDwYDVR0RBAgwBocEfwAAATANBgkqhkiG9w0BAQsFAAOCAQEAOnEqpEjq
/phsXp0xc9Wgcl5fcYeNpI7kl8f1B02e5/jHtYl7taYmsq+tU+Tqe71NY8K/1FCx
t3cD+aphuqZVcLqouABB3k+P73bEGCBLOTOOnPrjFxSf3VEk5Ys0yXw2fpF5iY7i
U73SlrxBNPnWWcODbE6fU71vI3wIFUIiAMh333cKDtA48Ii4PB3HdVPwTPugbkj5
6SUCKSlV41elNjM3yYT0x9uAQhi2zbo2HRm+53iHB/K6BTB6O8Mk71nzdzSM1yOz
i99p/U0OjC/W9QL+wVzeXpQdUCrNU2vZjV1Xpa20gxzhq3a0ftLt3/UkNcEJq3ab
77IJ1vC31v0Jig==
-----END CERTIFICATE-----
`;

/** The private key of {@link TEST_RECEIVER_CERT} (public test material). */
export const TEST_RECEIVER_KEY: string = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDvv4H2R+AOefUI
BmjW5SnwMQu/yM/1+2SIoJC8jZGJ3UJgEZDIdfP6FPx8XnlyDYkBUNykiEpFwYIz
nf2st12f9wotsSXe6qJuKT5v5p12OTfHAxk+nUk+GGP5ih4jSiBqLWqzRoA3o3P9
tghz2hkyR8pVRJt2nGRRcQ1G8a+pA+T2jay3tQdoTvgsrEvjax725siQPJK4FjT7
GRDVXtnd64orDUfzrwfMsNhnitS6UWTbVWURxpLKSKAi+diqChDWkYorM2ikgjWa
ZzEOzGWkIt4B+Wdorz/+9LRbs9WcYnjWFL1FKtPfSJJXcIF2lFSyEscB6WeFHae0
ritqWzkrAgMBAAECggEAMsy63nLrXFXmIB2vkD09jinuSeRkgEQU0Mho8rLykCpE
WrPOIFOx7x8MQtQH2q1YhuFZ5zkDt9UhYAuNiU/PNEp1qynakunXogz2MGLGoZrN
IUucSUKtls03PdRQv3yA8s6Nyc/Z8jAdrzgngVjItvk0O64OXOsVbJZOUGZ8qIyE
M24hhyjK/5eMkKRZHxlVd8MONHnbC8LbYNBA4sia4UpnaurNakCyqbv4I5Jo0uJE
Er/WAk82VFhK/u8LMSF+bew4QszHxQxGHGwpcPyaE7TTarSL3fWfC9CZHCGD/jES
yMKtvfMR/j6SKsWv+DXOEQZ6/Wr5JFhRos+iWFjrhQKBgQD7Ig+npfPYIVVhaymd
ir05pMHfHcwxfYh7sL8M3zVFJYFuDS/TYj8cAwmxSNhaosQxNNJ+p8b5qQQZK0Gm
r63R+H8WosSlFe/DYzRY32i18v1kDBsE3RnJjyvYfaxJxBTAoSlXxzVlcdRH4zz6
dKsQ7YaMEZ/gjG9ubi2Gl2mzJwKBgQD0ZPZrsU4cA72zCCyQxKVLZ2PqKljdhpUA
zB1G8fDha/x7Mwim7DpzjgWd8WtkkENvKKytuSVQX98LZtiTBHpSSluGYe4YJl3P
kVUUwqYUUuqz64b5Jrmo9Zywh/1/L3RjRQ0MwIEBTdF90TM/E0gB1mbAUac7aw/y
7KT+wEg8XQKBgQCXKmyT9J/wNDhpuJDHRREcFqGghRY5oB+8nKqTu/Qb2DStowBr
1FK6sNVvwrKA9EL2f55JIQLzmxpdcB1Hka4mmtcdMAMAgFDfouKKsIgeJdMDGwpU
hiaUnjq9SQChModvYFM7hC0PEFLApvc4p2uld+SqgZ1kFASrS2TaBGBatwKBgQDW
4drE772k5ikqPBqrIyvO89Ym8xr1lDp42/81/M519bOmQ0XtNrFiHtKTf8yUPD/+
gb3qdWr4k4MSjFgKVBqVNinpKzvkYf+D3N35Bfhu0ETq80DW2pTNmT8u/DMIXBoy
mmkR+ES1d82lmYY8hGCAtRndKS4oEUeRqT6de0VIRQKBgCyoiHcTmn0drIwYx5hY
HFwolSV286bqZh7EJ4e8xHxPnXmZLxcJ5jDriiq7acy5XsVtp57azesfq/MthWc6
TyAA9hazON8M3C1xTDqLCOPY64L2BRWsmWA4BSeNeoSwIWgugj1igAdEt/v9ZAjf
pYTNckXwg1CgGGpCkjMvWMoM
-----END PRIVATE KEY-----
`;
