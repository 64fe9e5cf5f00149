"""Server-side protections a workshop relies on, checked against the real server."""

import urllib.error
import urllib.request

import pytest


def post(url: str, headers: dict | None = None) -> int:
    body = (
        b"--x\r\nContent-Disposition: form-data; name=file; filename=a.txt\r\n\r\nhi\r\n--x--\r\n"
    )
    request = urllib.request.Request(
        url,
        data=body,
        method="PUT",
        headers={"Content-Type": "multipart/form-data; boundary=x", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize(
    "headers", [{}, {"X-Xsrftoken": "forged"}, {"Cookie": "_streamlit_xsrf=a", "X-Xsrftoken": "b"}]
)
def test_an_upload_without_the_participants_xsrf_token_is_refused(server, headers):
    assert post(f"{server}/_stcore/upload_file/some-session/some-file", headers) == 403
