-- Schema 18, mail preferences: Karim reads replies in a daily digest.
INSERT INTO notification_prefs (user_id, kind, delivery) VALUES (2, 'reply', 'daily');
INSERT INTO digest_settings (user_id, hour, weekday) VALUES (2, 8, 1);
