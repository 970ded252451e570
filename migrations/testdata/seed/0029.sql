-- Schema 29, backups: one verified run and one that failed.
INSERT INTO backups (id, started_at, finished_at, dir, size_bytes, files_total, files_copied, duration_ms, ok, error) VALUES
    (1, '2024-06-01 03:00:00+00:00', '2024-06-01 03:00:04+00:00', 'ligue-20240601-030000', 2097152, 1, 1, 4000, 1, ''),
    (2, '2024-06-02 03:00:00+00:00', '2024-06-02 03:00:01+00:00', '', 0, 0, 0, 1000, 0, 'le disque des sauvegardes est plein');
