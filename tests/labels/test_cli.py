"""flask labels print: the sheet for a zone, written to a file."""

from __future__ import annotations

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
