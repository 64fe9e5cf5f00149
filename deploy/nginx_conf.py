"""Write the nginx configuration that puts GenLab replicas behind one address, with sticky sessions.

    python3 deploy/nginx_conf.py --listen 80 --replica 10.0.0.11:8501 --replica 10.0.0.12:8501 \
        > /etc/nginx/conf.d/genlab.conf
    python3 deploy/nginx_conf.py --listen 8680 --replica 127.0.0.1:8621 --standalone RUN_DIR

The first prints the block for nginx's http {} (a system nginx includes conf.d/). The second writes
RUN_DIR/nginx.conf and RUN_DIR/genlab.conf, a configuration any user can run with
``nginx -p RUN_DIR -c nginx.conf -e error.log`` (logs, pid and temporary files stay in RUN_DIR).
The upload limit is read from the lab's .streamlit/config.toml, so nginx and Streamlit agree.
Needs only Python's standard library (3.11+).
"""

import argparse
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "genlab.conf.template"
STREAMLIT_CONFIG = HERE.parent / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_UPLOAD_MB = 200

STANDALONE = """\
# Written by deploy/nginx_conf.py --standalone; run with: nginx -p {dir} -c nginx.conf -e error.log
worker_processes auto;
pid nginx.pid;
error_log error.log;

events {{
    worker_connections 4096;
}}

http {{
    default_type application/octet-stream;
    log_format genlab '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                      'replica=$upstream_addr route=$genlab_route';
    access_log access.log genlab;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    include genlab.conf;
}}
"""


def max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's server.maxUploadSize (MB) as the lab configures it."""
    if not config.exists():
        return STREAMLIT_DEFAULT_UPLOAD_MB
    server = tomllib.loads(config.read_text()).get("server", {})
    return int(server.get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB))


def render(listen: str, replicas: list[str], upload_mb: int) -> str:
    """The http-level configuration: the route cookie, the replicas and the proxy server."""
    servers = "\n".join(
        f"    server {address} max_fails=3 fail_timeout=10s;" for address in replicas
    )
    return (
        TEMPLATE.read_text()
        .replace("@SERVERS@", servers)
        .replace("@LISTEN@", listen)
        .replace("@MAX_UPLOAD_MB@", str(upload_mb))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="80", help="nginx's port or address:port")
    parser.add_argument(
        "--replica", action="append", required=True, help="HOST:PORT of a replica (repeat)"
    )
    parser.add_argument(
        "--standalone", type=Path, metavar="DIR", help="write DIR/nginx.conf and DIR/genlab.conf"
    )
    args = parser.parse_args()
    site = render(args.listen, args.replica, max_upload_mb())
    if args.standalone is None:
        print(site, end="")
        return
    (args.standalone / "tmp").mkdir(parents=True, exist_ok=True)
    (args.standalone / "genlab.conf").write_text(site)
    (args.standalone / "nginx.conf").write_text(STANDALONE.format(dir=args.standalone))


if __name__ == "__main__":
    main()
