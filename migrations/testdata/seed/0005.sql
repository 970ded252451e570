-- Schema 5, strikes: a mistyped password.
INSERT INTO strikes (bucket, key, at) VALUES ('login-ip', '203.0.113.7', '2024-02-05 08:00:00+00:00');
