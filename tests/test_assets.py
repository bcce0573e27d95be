"""The module graph a page preloads: read from the modules' own import statements."""

import gzip
import re
import subprocess
from pathlib import Path

import brotli
import pytest

from survey_app.assets import minified
from survey_app.assets import module_graph

from .test_quality import require


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_graph_lists_every_static_import_once_dependencies_first(tmp_path):
    write(tmp_path, "js/main.js", "import { a,\n  b } from './a.js';\nimport './side.js';\n"
                                  "const later = () => import('./lazy.js');\n// import nothing from here\n")
    write(tmp_path, "js/a.js", "import { c } from \"./lib/c.js\";\nexport const a = 1, b = c;\n")
    write(tmp_path, "js/side.js", "import { c } from './lib/c.js';\n")
    write(tmp_path, "js/lib/c.js", "import { shared } from '../shared.js';\nexport const c = shared;\n")
    write(tmp_path, "js/shared.js", "export const shared = 2;\n")
    write(tmp_path, "js/lazy.js", "export const lazy = 3;\n")

    order = module_graph(tmp_path, "js/main.js")

    assert sorted(order) == ["js/a.js", "js/lib/c.js", "js/main.js", "js/shared.js", "js/side.js"]
    assert order[-1] == "js/main.js"
    assert order.index("js/shared.js") < order.index("js/lib/c.js") < order.index("js/a.js")


def test_import_cycles_end(tmp_path):
    write(tmp_path, "a.js", "import { b } from './b.js';\n")
    write(tmp_path, "b.js", "import { a } from './a.js';\n")
    assert sorted(module_graph(tmp_path, "a.js")) == ["a.js", "b.js"]


def test_a_missing_module_is_an_error_not_a_silent_gap(tmp_path):
    write(tmp_path, "a.js", "import { gone } from './gone.js';\n")
    with pytest.raises(FileNotFoundError, match="gone.js"):
        module_graph(tmp_path, "a.js")


def asset_path(client, name):
    """The current URL of a static file, with the version the form page uses."""
    body = client.get("/forms/sample_feedback").data.decode()
    return re.search(r"/assets/[0-9a-f]+/", body).group(0) + name


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip, deflate, br, zstd", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
    ("identity", None, lambda data: data),
])
def test_assets_are_sent_compressed_in_what_the_browser_accepts(client, app, accept, encoding, decode):
    for name in ("js/main.js", "css/app.css"):
        response = client.get(asset_path(client, name), headers={"Accept-Encoding": accept})
        assert response.headers.get("Content-Encoding") == encoding
        source = (Path(app.static_folder) / name).read_text(encoding="utf-8")
        assert decode(response.data).decode("utf-8") == minified(name, source)
        assert "Accept-Encoding" in response.headers["Vary"]


def test_served_scripts_are_smaller_and_still_parse(client, app, tmp_path):
    """Every module as a phone gets it: without comments, and still valid for the JavaScript parser."""
    node = require("node")
    scripts = sorted((Path(app.static_folder) / "js").glob("*.js"))
    assert scripts
    for path in scripts:
        served = client.get(asset_path(client, f"js/{path.name}"), headers={"Accept-Encoding": "identity"}).data
        assert len(served) < path.stat().st_size
        copy = tmp_path / (path.stem + ".mjs")
        copy.write_bytes(served)
        check = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True)
        assert check.returncode == 0, f"{path.name}: {check.stderr}"


def test_assets_carry_no_page_only_headers(client):
    response = client.get(asset_path(client, "js/main.js"), headers={"Accept-Encoding": "br"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
    assert "Cookie" not in response.headers["Vary"]
    assert "max-age=31536000, immutable" in response.headers["Cache-Control"]


def test_pages_prefer_brotli_to_zstd(client):
    response = client.get("/forms/sample_feedback", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert b"<form" in brotli.decompress(response.data)
