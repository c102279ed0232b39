"""Ticket rendering on python-escpos printers writing real bytes: Dummy, File, and a serial
printer on a socat pty pair answering status queries."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.printer import Dummy

from emulators.printer import PrinterEmulator
from kiosk.printing.devices import EscposPrinter, FilePrinter, PrinterState
from kiosk.printing.escpos_out import EscposWriter, encode_cp1258, native_codepage
from kiosk.printing.layout import Text, TicketContent, ticket_blocks
from lobby.config.models import Printer

QR_DATA = "https://dichvucong.example.gov.vn/ticket/demo/42?number=A023"


def content(language: str = "vi") -> TicketContent:
    return TicketContent(
        centre="Trung tâm Phục vụ Hành chính công Phường Bến Nghé", number="A023",
        service="Hộ tịch" if language == "vi" else "Civil status", issued_at="21/11/2026 08:15",
        ahead=4, estimate_minutes=12, qr_data=QR_DATA, footer="Cảm ơn quý khách",
        priority=None, language=language)


def render(settings: Printer, language: str = "vi") -> bytes:
    dummy = Dummy(profile=settings.profile)
    EscposWriter(settings).write(dummy, ticket_blocks(content(language)))
    return bytes(dummy.output)


def test_ticket_has_native_qr_with_its_payload_and_ends_with_a_cut() -> None:
    data = render(Printer(text_mode="raster"))
    qr_at = data.find(b"\x1d(k")
    assert qr_at > 0, "no native QR command (GS ( k)"
    assert QR_DATA.encode() in data[qr_at:]
    assert data.endswith(b"\x1dV\x00")  # the full cut is the last command
    assert data.find(b"\x1dV") > qr_at
    assert data.startswith(b"\x1b@")  # initialise first


def test_vietnamese_is_a_raster_image_when_the_printer_cannot_carry_it() -> None:
    data = render(Printer(text_mode="raster"))
    assert data.count(b"\x1dv0") >= 3  # GS v 0 raster images: centre, service, footer...
    assert "Hộ tịch".encode() not in data and encode_cp1258("Hộ tịch") not in data  # type: ignore[operator]
    assert b"A023" in data  # the number is ASCII: native, at the largest size
    assert b"\x1d!" in data  # GS ! character size


def test_vietnamese_goes_as_cp1258_text_when_the_profile_has_that_code_page() -> None:
    settings = Printer(profile="TM-T20II", text_mode="auto")
    assert native_codepage(settings) == 52
    data = render(settings)
    encoded = encode_cp1258("Hộ tịch")
    assert encoded is not None and b"\x1bt\x34" + encoded in data
    assert b"\x1dv0" not in data  # no raster needed
    # The generic profile claims TCVN-3, which few printers carry: raster there.
    assert native_codepage(Printer(profile="default")) is None


def test_english_ticket_is_plain_text() -> None:
    data = render(Printer(text_mode="raster"), language="en")
    assert b"People ahead of you: 4" in data and b"Civil status" in data


def test_file_printer_writes_bytes_and_a_png_whose_qr_decodes(tmp_path: Path) -> None:
    printer = FilePrinter(Printer(path=str(tmp_path)))
    assert printer.status() == PrinterState("ok", True)
    printer.print_ticket(ticket_blocks(content()), "A023")
    [binary] = list(tmp_path.glob("*-A023.bin"))
    [preview] = list(tmp_path.glob("*-A023.png"))
    assert binary.read_bytes() == render(Printer())
    assert shutil.which("zbarimg"), "zbar-tools is not installed: run ./run.sh test"
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(preview)], capture_output=True,
                             text=True, check=True)
    assert decoded.stdout.strip() == QR_DATA
    assert not list(tmp_path.glob("*.part"))


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    printer = PrinterEmulator(tmp_path)
    yield printer
    printer.close()


@pytest.mark.parametrize("state, expected", [
    ("ok", PrinterState("ok", True)),
    ("near_end", PrinterState("near_end", True)),
    ("out", PrinterState("out", False)),
    ("offline", PrinterState("ok", False)),
    ("silent", PrinterState("unknown", None)),
])
def test_serial_printer_status(emulator: PrinterEmulator, state: str,
                               expected: PrinterState) -> None:
    emulator.state = state
    printer = EscposPrinter(Printer(connection="serial", port=emulator.port,
                                    status_timeout_seconds=0.3))
    started = time.monotonic()
    assert printer.status() == expected
    assert time.monotonic() - started < 1.5  # silence costs the timeout, not more
    assert expected.can_print == (state in ("ok", "near_end"))
    printer.close()


def test_serial_printer_prints_the_ticket_bytes(emulator: PrinterEmulator) -> None:
    settings = Printer(connection="serial", port=emulator.port)
    printer = EscposPrinter(settings)
    printer.print_ticket(ticket_blocks(content()), "A023")
    deadline = time.monotonic() + 5
    while emulator.tickets < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.tickets == 1
    assert bytes(emulator.received) == render(settings)
    printer.close()


@pytest.mark.parametrize("state, expected", [
    ("ok", PrinterState("ok", True)),
    ("out", PrinterState("out", False)),
    ("silent", PrinterState("unknown", None)),
])
def test_network_printer_status_and_printing(tmp_path: Path, state: str,
                                             expected: PrinterState) -> None:
    emulator = PrinterEmulator(tmp_path, network=True)
    emulator.state = state
    settings = Printer(connection="network", host="127.0.0.1", tcp_port=emulator.tcp_port,
                       status_timeout_seconds=0.3)
    printer = EscposPrinter(settings)
    try:
        assert printer.status() == expected
        printer.print_ticket(ticket_blocks(content()), "A023")
        deadline = time.monotonic() + 5
        while emulator.tickets < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bytes(emulator.received) == render(settings)
    finally:
        printer.close()
        emulator.close()


def test_a_ticket_taken_in_english_keeps_the_vietnamese_for_staff() -> None:
    from dataclasses import replace as with_

    english = with_(content("en"), counters=(1, 2, 4), staff_language="vi",
                    staff_service="Hộ tịch")
    texts = [b.text for b in ticket_blocks(english) if isinstance(b, Text)]
    assert any(t.endswith(" / Your number") for t in texts)
    assert texts.index("Hộ tịch") < texts.index("Civil status")  # the centre's language first
    assert "Quầy phục vụ: 1, 2, 4" in texts and "Served at counters 1, 2, 4" in texts
    assert "Xin theo dõi màn hình và lắng nghe số của quý khách." in texts
    assert "Please watch the screen and listen for your number." in texts
    vietnamese_only = [b.text for b in ticket_blocks(with_(content("vi"), counters=(3,),
                                                           staff_language="vi"))
                       if isinstance(b, Text)]
    assert "Quầy phục vụ: 3" in vietnamese_only and not any(
        "Served at" in t for t in vietnamese_only)


def test_a_qr_that_opens_the_live_page_says_so_above_it() -> None:
    from dataclasses import replace

    from kiosk.printing.layout import QrCode

    def caption(live: bool) -> list[str]:
        blocks = ticket_blocks(replace(content("en"), live_page=live, staff_language="vi"))
        qr = next(i for i, b in enumerate(blocks) if isinstance(b, QrCode))
        return [b.text for b in blocks[qr - 2:qr] if isinstance(b, Text)]

    assert caption(True) == ["Quét mã để theo dõi lượt của quý khách trên điện thoại",
                             "Scan the code to follow your turn on your phone"]
    assert "Scan the code to follow your turn on your phone" not in caption(False)
