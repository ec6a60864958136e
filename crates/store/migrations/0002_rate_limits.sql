-- Fixed-window request counters shared by every instance (per-address rate limits).
CREATE TABLE rate_limit_hits (
    bucket VARCHAR(200) NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
