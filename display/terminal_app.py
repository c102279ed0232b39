"""The counter terminal's Kivy app. Keys: Space = next, R = recall, D = done, N = no-show.
Kivy lives only here and in terminal.kv; the logic is display/terminal_model.py."""

from __future__ import annotations

import re
import threading
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.popup import Popup
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from devicekit.app import DeviceApp
from devicekit.i18n import N_, tr
from display.terminal_model import TerminalModel

PIN = re.compile(r"[0-9]{4,12}")
KEYS = {" ": "call_next", "r": "recall", "d": "done", "n": "no_show"}
BUTTONS = (  # action, label, shortcut
    ("call_next", N_("Next"), "Space"), ("recall", N_("Recall"), "R"),
    ("done", N_("Done"), "D"), ("no_show", N_("No-show"), "N"),
    ("transfer", N_("Transfer…"), ""), ("call", N_("Call a number…"), ""),
    ("pause", N_("Pause"), ""), ("resume", N_("Resume"), ""),
    ("sign", N_("Sign in…"), ""),
)
SIGN_OUT = N_("Sign out")


class TerminalRoot(BoxLayout):  # type: ignore[misc]
    pass


class TButton(ButtonBehavior, Label):  # type: ignore[misc]
    action = StringProperty("")
    enabled = BooleanProperty(True)
    name = StringProperty("")  # a staff member's whole name, when the button is theirs


class Banner(Label):  # type: ignore[misc]
    problem = BooleanProperty(False)  # red for a problem, green for a confirmation


class TerminalApp(DeviceApp):
    def __init__(self, model: TerminalModel, **kwargs: Any) -> None:
        super().__init__(model, tr(model.language, "Counter {number}",
                                   number=model.counter.number), **kwargs)
        self.model = model
        self.popup: Popup | None = None

    def build(self) -> TerminalRoot:
        self.root_widget = TerminalRoot()
        for action, label, key in BUTTONS:
            text = tr(self.model.language, label) + (f"\n[{key}]" if key else "")
            button = TButton(text=text, action=action)
            button.bind(on_release=lambda b: self.press(b.action))
            self.root_widget.ids.buttons.add_widget(button)
        self.refresh()
        return self.root_widget

    def on_key(self, text: str) -> bool:
        if self.popup is not None:
            return False
        action = KEYS.get(text.lower())
        if action:
            self.press(action)
            return True
        return False

    def press(self, action: str, **arguments: Any) -> None:
        if action == "sign":  # one button: sign in when nobody is, out when someone is
            if self.model.officer is not None:
                self.press("logout")
            else:
                self._choose_staff()
            return
        if action == "transfer" and "service" not in arguments:
            self._choose_service()
            return
        if action == "call" and "number" not in arguments:
            self._ask_number()
            return
        threading.Thread(target=self.model.act, args=(action,), kwargs=arguments,
                         daemon=True, name=f"terminal-{action}").start()

    def _choose_service(self) -> None:
        if not self.model.enabled()["transfer"]:
            return
        box = BoxLayout(orientation="vertical", spacing=self.h(0.015), padding=self.h(0.02))
        popup = self._popup(tr(self.model.language, "Transfer to"), box, (0.7, 0.85))
        def choose(button: Any) -> None:
            popup.dismiss()
            self.press("transfer", service=button.action)

        for target in self.model.transfer_targets():
            button = TButton(text=f"{target.id} · {target.name}", action=target.id)
            button.bind(on_release=choose)
            box.add_widget(button)
        self._add_cancel(box, popup)
        self._open(popup)

    def _choose_staff(self) -> None:
        if not self.model.enabled()["login"]:
            return
        box = BoxLayout(orientation="vertical", spacing=self.h(0.015), padding=self.h(0.02))
        popup = self._popup(tr(self.model.language, "Who are you?"), box, (0.9, 0.92))
        # Names in three columns of buttons a finger can hit, scrolling when a big centre's
        # staff do not fit (thirty names in one column were unreadable slivers).
        names = GridLayout(cols=3, spacing=self.h(0.015), size_hint_y=None,
                           row_force_default=True, row_default_height=self.h(0.1))
        names.bind(minimum_height=names.setter("height"))

        def choose(button: Any) -> None:
            popup.dismiss()
            self._ask_pin(button.action, button.name)

        for staff_id, name in self.model.staff():
            button = TButton(text=name, action=staff_id, name=name, max_lines=2)
            button.bind(on_release=choose)
            names.add_widget(button)
        scroll = ScrollView(do_scroll_x=False, bar_width=self.h(0.012))
        scroll.add_widget(names)
        box.add_widget(scroll)
        self._add_cancel(box, popup, fixed=True)
        self._open(popup)

    def _ask_pin(self, staff_id: str, name: str) -> None:
        box = BoxLayout(orientation="vertical", spacing=self.h(0.02), padding=self.h(0.02))
        # Whatever is typed is kept (a letter dropped silently would send another PIN) and
        # checked on sign-in; the dialog says what is wrong, where the eyes are.
        field = TextInput(multiline=False, password=True, font_size=self.h(0.06),
                          font_name=self.font, size_hint_y=None, height=self.h(0.1))
        problem = Label(text="", font_name=self.font_bold, font_size=self.h(0.035),
                        color=(1, 0.55, 0.5, 1), size_hint_y=None, height=self.h(0.05))
        popup = self._popup(tr(self.model.language, "PIN for {name}", name=name), box,
                            (0.6, 0.62))

        def sign_in(*_args: Any) -> None:
            pin = field.text.strip()
            if not PIN.fullmatch(pin):  # said here: the hub would only see a bad request
                problem.text = tr(self.model.language, "A PIN is 4 to 12 digits.")
                field.text = ""
                return
            popup.dismiss()
            self.press("login", staff=staff_id, pin=pin)

        field.bind(on_text_validate=sign_in)
        ok = TButton(text=tr(self.model.language, "Sign in"), action="login")
        ok.bind(on_release=sign_in)
        box.add_widget(field)
        box.add_widget(problem)
        box.add_widget(ok)
        self._add_cancel(box, popup)
        self._open(popup)
        field.focus = True

    def _ask_number(self) -> None:
        if not self.model.enabled()["call"]:
            return
        box = BoxLayout(orientation="vertical", spacing=self.h(0.02), padding=self.h(0.02))
        field = TextInput(multiline=False, font_size=self.h(0.06), font_name=self.font,
                          size_hint_y=None, height=self.h(0.1), hint_text="A023")
        popup = self._popup(tr(self.model.language, "Call a number"), box, (0.6, 0.62))

        def call(*_args: Any) -> None:
            popup.dismiss()
            self.press("call", number=field.text.strip().upper())

        field.bind(on_text_validate=call)
        ok = TButton(text=tr(self.model.language, "Call"), action="call")
        ok.bind(on_release=call)
        box.add_widget(field)
        box.add_widget(ok)
        self._add_cancel(box, popup)
        self._open(popup)
        field.focus = True

    def _popup(self, title: str, content: Any, size: tuple[float, float]) -> Popup:
        """A dialog with a large title; Esc closes it (and only it)."""
        return Popup(title=title, content=content, size_hint=size, title_font=self.font_bold,
                     title_size=self.h(0.05), auto_dismiss=True)

    def _add_cancel(self, box: Any, popup: Popup, fixed: bool = False) -> None:
        cancel = TButton(text=tr(self.model.language, "Cancel") + "  [Esc]", action="cancel")
        if fixed:  # under a scrolling list: its own height
            cancel.size_hint_y, cancel.height = None, self.h(0.1)
        cancel.bind(on_release=lambda *_: popup.dismiss())
        box.add_widget(cancel)

    def _open(self, popup: Popup) -> None:
        self.popup = popup

        def dismissed(*_args: Any) -> None:
            if self.popup is popup:  # not the dialog that replaced it (names, then PIN)
                self.popup = None

        popup.bind(on_dismiss=dismissed)
        popup.open()

    def refresh(self) -> None:
        model, ids, lang = self.model, self.root_widget.ids, self.model.language
        counter = tr(lang, "Counter {number}", number=model.counter.number)
        officer = model.officer
        ids.counter.text = f"{counter} · {model.officer_label()}" if officer else counter
        status = tr(lang, model.status_name)
        ids.status.text = status if model.online else f"{status} · {tr(lang, 'Offline')}"
        ticket = model.ticket
        ids.number.text = ticket.number if ticket else "—"
        detail = ""
        if ticket:
            service = model.config.service(ticket.service)
            detail = service.names.get(lang, ticket.service) if service else ticket.service
            group = model.config.priority_class(ticket.priority) if ticket.priority else None
            if group is not None:
                detail += " · " + (group.names.get(lang) or group.id)
            if ticket.recalls:
                detail += " · " + tr(lang, "Recalled {count}×", count=ticket.recalls)
            if not ticket.printed:
                detail += " · " + tr(lang, "Ticket not printed")
            if ticket.coming_at is not None:  # said from the citizen's phone
                detail += " · " + tr(lang, "On the way")
        ids.detail.text = detail
        ids.message.text = model.banner() or ""
        ids.message.problem = model.banner_is_problem()
        enabled = model.enabled()
        enabled["sign"] = enabled["logout"] if officer else enabled["login"]
        for button in ids.buttons.children:
            button.enabled = enabled.get(button.action, False)
            if button.action == "sign":
                button.text = tr(lang, SIGN_OUT if officer else "Sign in…")
        ids.waiting.text = tr(lang, "Waiting") + ":  " + "   ".join(
            f"{line.id} {line.name}: {line.waiting}" for line in model.services())
