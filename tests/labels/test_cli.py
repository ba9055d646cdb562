"""labels print: the sheet for a zone, written to a file, refused for localhost."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.presence.signing import signed_url
from tests import factories
from tests.labels.pdf import scan_pages


def test_labels_print_writes_a_pdf_for_the_zone(app, world, stairwells, tmp_path):
    out = tmp_path / "labels.pdf"
    result = app.test_cli_runner().invoke(
        args=["labels", "print", "--zone", world.a.zone.name_zh, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "12 labels" in result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    decoded = {scan.text for page in scan_pages(pdf) for scan in page}
    # Each label encodes its signed URL (code, label version and signature).
    assert decoded == {signed_url(c.code, c.label_version) for c in stairwells}


def test_labels_print_takes_a_zone_id_and_a_property_for_clashing_names(app, world, tmp_path):
    for site in (world.a, world.b):
        factories.checkpoint(factories.zone(site.prop, kind="grounds", name_zh="园区"))
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "x.pdf"
    clash = runner.invoke(args=["labels", "print", "--zone", "园区", "--out", str(out)])
    assert clash.exit_code != 0 and "--property" in clash.output and not out.exists()
    chosen = runner.invoke(
        args=["labels", "print", "--zone", "园区", "--property", "b", "--out", str(out)]
    )
    assert chosen.exit_code == 0, chosen.output
    by_id = runner.invoke(
        args=["labels", "print", "--zone", str(world.a.zone.id), "--out", str(out)]
    )
    assert by_id.exit_code == 0 and "1 labels" in by_id.output


def test_labels_print_refuses_an_unknown_zone(app, world, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["labels", "print", "--zone", "不存在", "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0 and "No zone" in result.output


def test_labels_print_writes_into_the_instance_folder_by_default(app, world, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "INSTANCE_DIR", str(tmp_path / "instance"))
    result = app.test_cli_runner().invoke(args=["labels", "print", "--zone", world.a.zone.name_zh])
    assert result.exit_code == 0, result.output
    written = tmp_path / "instance" / f"labels-{world.a.zone.id}.pdf"
    assert written.read_bytes().startswith(b"%PDF-")
    assert str(written) in result.output and "https://patrol.example.com/c/" in result.output


@pytest.fixture
def cli_on_localhost(app, monkeypatch):
    """No PUBLIC_BASE_URL and no HOST: the CLI would print labels for 127.0.0.1:5000."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    for name in ("HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return app.test_cli_runner()


def test_labels_print_refuses_labels_pointing_at_localhost(cli_on_localhost, world, tmp_path):
    out = tmp_path / "labels.pdf"
    result = cli_on_localhost.invoke(
        args=["labels", "print", "--zone", world.a.zone.name_zh, "--out", str(out)]
    )
    assert result.exit_code == 1 and not out.exists()
    assert result.stdout == ""  # all of it on stderr
    assert "http://127.0.0.1:5000" in result.stderr
    assert "须重新打印" in result.stderr and "must be printed again" in result.stderr
    assert "PUBLIC_BASE_URL" in result.stderr and "--allow-localhost" in result.stderr


def test_labels_print_for_localhost_when_told_to(cli_on_localhost, world, tmp_path):
    out = tmp_path / "labels.pdf"
    zone = world.a.zone.name_zh
    result = cli_on_localhost.invoke(
        args=["labels", "print", "--zone", zone, "--out", str(out), "--allow-localhost"]
    )
    assert result.exit_code == 0, result.output
    decoded = {scan.text for page in scan_pages(out.read_bytes()) for scan in page}
    assert decoded and all(text.startswith("http://127.0.0.1:5000/c/") for text in decoded)


def test_labels_print_follows_the_servers_host_and_port(
    cli_on_localhost, world, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOST", "192.168.1.20")
    monkeypatch.setenv("PORT", "8000")
    out = tmp_path / "labels.pdf"
    result = cli_on_localhost.invoke(
        args=["labels", "print", "--zone", world.a.zone.name_zh, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    decoded = {scan.text for page in scan_pages(out.read_bytes()) for scan in page}
    assert decoded and all(text.startswith("http://192.168.1.20:8000/c/") for text in decoded)
