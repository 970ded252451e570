-- Schema 25, trust: both vouched for, the charter accepted.
INSERT INTO vouches (member_id, voucher_id, created_at) VALUES (1, NULL, '2024-05-02 09:00:00+00:00'), (2, 1, '2024-05-02 09:00:00+00:00');
INSERT INTO charter_acceptances (user_id, version, accepted_at) VALUES (1, 1, '2024-05-02 09:00:00+00:00'), (2, 1, '2024-05-02 09:05:00+00:00');
