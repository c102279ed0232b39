"""The kiosk's Kivy app: renders the flow's view-model and forwards taps. Kivy lives only in
this module and kiosk.kv; the logic is kiosk/flow.py."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from devicekit import theme
from devicekit.app import DeviceApp
from devicekit.assets import icon
from devicekit.i18n import tr
from kiosk.flow import KioskFlow
from kiosk.printing.layout import wait_lines
from kiosk.printing.raster import qr_image

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


class ServiceTile(ButtonBehavior, BoxLayout):  # type: ignore[misc]
    label = StringProperty("")
    detail = StringProperty("")
    icon = StringProperty("")
    enabled = BooleanProperty(True)
    service_id = StringProperty("")


class Banner(Label):  # type: ignore[misc]
    kind = StringProperty("warning")


class IdleScreen(Screen):  # type: ignore[misc]
    pass


class ResultScreen(Screen):  # type: ignore[misc]
    pass


class KioskApp(DeviceApp):
    pages = NumericProperty(1)
    has_previous = BooleanProperty(False)
    has_next = BooleanProperty(False)
    page_text = StringProperty("")
    previous_text = StringProperty("")
    next_text = StringProperty("")

    def __init__(self, flow: KioskFlow, landscape: bool = False, **kwargs: Any) -> None:
        super().__init__(flow, flow.config.site.name.get(flow.language, "Lobby"), **kwargs)
        self.flow = flow
        self.columns = 2 if landscape else 1
        settings = flow.device.kiosk_settings
        self.touch_px = theme.mm_to_px(theme.MIN_TOUCH_MM, settings.screen_dpi)
        self._row_keys: dict[int, list[str]] = {}  # id(row) -> the options it shows
        self.page = 0
        self._fresh_starts = 0  # the flow's count when the page was last reset
        # A tile at least 1.6 touch targets high: a finger can never land on two.
        self.tile_height = max(self.touch_px * 1.6, self.sp(186 if self.columns == 1 else 172))

    def fit_font(self, text: str, width: float, largest: float, smallest: float,
                 lines: int = 2) -> float:
        """The largest font size (given for a 1080-px-wide screen) at which `text` takes at
        most `lines` lines of `width`, never below `smallest`: an official name of 60
        characters stays inside its tile. Vietnamese in DejaVu Sans Bold runs about 0.6 of
        the size a character, 0.72 with a margin for wrapping at word ends."""
        size = largest
        while size > smallest:
            per_line = max(1.0, width / (0.72 * self.sp(size)))
            if -(-len(text) // per_line) <= lines:
                break
            size -= 2
        return self.sp(size)

    def sp(self, value: float) -> float:
        """Sizes are given for a 1080-px-wide portrait screen and scale with the window."""
        return self.u(value / 1080)

    def turn_page(self, step: int) -> None:
        """One page on or back; at the first or last page the button is off (pages that wrap
        around lose a citizen who is not used to screens)."""
        self.flow.touched()
        page = self.page + step
        if 0 <= page < int(self.pages):
            self.page = page
            self.refresh()

    def _per_page(self) -> int:
        """How many tiles fit the services area at their minimum height."""
        grid = self.idle.ids.services
        rows = int((grid.height + grid.spacing[1]) // (self.tile_height + grid.spacing[1]))
        return max(1, rows) * self.columns

    def build(self) -> ScreenManager:
        self.manager = ScreenManager(transition=NoTransition())
        self.idle = IdleScreen(name="idle")
        self.result = ResultScreen(name="result")
        self.manager.add_widget(self.idle)
        self.manager.add_widget(self.result)
        # Paged by the room the tiles really get, known once laid out.
        self.idle.ids.services.bind(height=lambda *_: self.request_refresh())
        Window.bind(on_touch_down=lambda *_: self.flow.touched())  # any touch: still there
        self.flow.voice.invite(self.flow.language)  # the invitation, from the start
        Clock.schedule_interval(lambda _dt: self.flow.tick(), 0.5)
        self.refresh()
        return self.manager

    # --- taps ------------------------------------------------------------------------------

    def tap_service(self, service_id: str) -> None:
        if self.flow.busy:
            return  # a double tap while a ticket is on its way
        threading.Thread(target=self.flow.tap_service, args=(service_id,), daemon=True,
                         name="take-ticket").start()

    def finish(self) -> None:
        self.flow.dismiss()

    # --- painting ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.flow.result is not None:
            self._paint_result()
            self.manager.current = "result"
        else:
            self._paint_idle()
            self.manager.current = "idle"

    def _paint_idle(self) -> None:
        flow, ids, lang = self.flow, self.idle.ids, self.flow.language
        ids.centre.text = flow.config.site.name.get(lang, "")
        banner = flow.banner()
        ids.banner.text = banner or ""
        ids.banner.kind = "error" if banner and not flow.can_issue() else "warning"
        ids.prompt.text = (tr(lang, "Printing your ticket…") if flow.phase == "printing"
                           else tr(lang, "Please wait a moment…") if flow.busy
                           else tr(lang, "Please choose a service"))
        ids.hint.text = tr(lang, "For priority: first touch your group, then the service.") \
            if flow.config.priority.classes else ""
        self._paint_languages()
        self._paint_priorities()
        self._paint_services()

    def _paint_languages(self) -> None:
        from kivy.factory import Factory

        def make(code: str) -> Any:
            button = Factory.BigButton(text=LANGUAGE_NAMES.get(code, code))
            button.bind(on_release=lambda _b: self.flow.choose_language(code))
            return button

        def update(button: Any, code: str) -> None:
            button.selected = code == self.flow.language
            button.font_size = self.sp(30)

        self._keep_in_place(self.idle.ids.languages, self.flow.config.site.languages,
                            make, update)

    def _paint_priorities(self) -> None:
        from kivy.factory import Factory

        options = {option.id: option for option in self.flow.priority_buttons()}

        def make(class_id: str) -> Any:
            button = Factory.GroupButton()
            button.bind(on_release=lambda _b: self.flow.toggle_priority(class_id))
            return button

        def update(button: Any, class_id: str) -> None:
            option = options[class_id]
            button.text, button.selected = option.label, option.selected
            button.enabled = option.enabled

        self._keep_in_place(self.idle.ids.priority_row, list(options), make, update)

    def _paint_services(self) -> None:
        options = {option.id: option for option in self.flow.service_buttons()}

        def make(service_id: str) -> Any:
            tile = ServiceTile(service_id=service_id)
            tile.bind(on_release=lambda _t: self.tap_service(service_id))
            return tile

        def update(tile: Any, service_id: str) -> None:
            option = options[service_id]
            tile.label, tile.detail, tile.enabled = option.label, option.detail, option.enabled
            tile.icon = str(icon(option.icon))

        if self.flow.fresh_starts != self._fresh_starts:  # a new citizen: the first page
            self._fresh_starts, self.page = self.flow.fresh_starts, 0
        per_page = self._per_page()
        ordered = list(options)
        self.pages = max(1, -(-len(ordered) // per_page))
        self.page = min(self.page, int(self.pages) - 1)
        shown = ordered[self.page * per_page:(self.page + 1) * per_page]
        lang = self.flow.language
        self.page_text = tr(lang, "Page {page} of {pages}", page=self.page + 1,
                            pages=int(self.pages))
        self.has_previous = self.page > 0
        self.has_next = self.page < int(self.pages) - 1
        self.previous_text = tr(lang, "Previous page")
        self.next_text = tr(lang, "Next page")
        self._keep_in_place(self.idle.ids.services, shown, make, update)

    def _keep_in_place(self, box: Any, keys: list[str], make: Callable[[str], Any],
                       update: Callable[[Any, str], None]) -> None:
        """Updates a row of buttons in place and rebuilds it only when its options change.
        A new widget sits at (0, 0) until the layout runs just before the next frame, after
        this frame's touches: a finger landing then would miss its button, or hit another."""
        if self._row_keys.get(id(box)) != keys:
            box.clear_widgets()
            for key in keys:
                box.add_widget(make(key))
            self._row_keys[id(box)] = list(keys)
        for widget, key in zip(reversed(box.children), keys, strict=True):
            update(widget, key)

    def _paint_result(self) -> None:
        result, ids, lang = self.flow.result, self.result.ids, self.flow.language
        assert result is not None
        ids.heading.text = tr(lang, "Your number")
        ids.number.text = result.number
        ids.service.text = result.service
        lines = [*wait_lines(result.ahead, result.estimate_minutes, lang), "", ""]
        ids.ahead.text, ids.estimate.text = lines[0], lines[1]
        buffer = io.BytesIO()
        qr_image(result.qr_data, box=10).convert("RGB").save(buffer, format="png")
        buffer.seek(0)
        ids.qr.texture = CoreImage(buffer, ext="png").texture
        ids.note.text = "" if result.printed else tr(
            lang, "The ticket could not be printed. Please remember number {number} and tell "
            "the staff at the counter.", number=result.number)
        ids.note.kind = "error"
        ids.keep.text = tr(lang, "Please keep your ticket") if result.printed else ""
        ids.finish.text = tr(lang, "Done")
