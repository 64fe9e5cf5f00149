"""The nginx configuration deploy/nginx_conf.py writes, read without starting nginx."""

import re

import uvicorn

from deploy.nginx_conf import render


def test_nginx_drops_an_idle_replica_connection_before_the_replica_does():
    # Otherwise a browser's request after a pause may meet a connection the replica is closing:
    # it fails there and nginx retries it on the other replica (seen in CI: a page's scripts
    # answered by both replicas).
    site = render("8680", ["127.0.0.1:8621", "127.0.0.1:8622"], 200)
    upstream = re.search(r"upstream genlab_replicas \{(.*?)\n\}", site, re.S).group(1)
    nginx_seconds = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    assert nginx_seconds < uvicorn.Config(app=None).timeout_keep_alive
