"""Where the user's PostHog lives: US Cloud, EU Cloud or a self-hosted URL, validated as typed."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from phguide.core.hosts import Clouds, Host, HostError, parse_host

_CHOICES: Final = ("us", "eu", "self-hosted")
"""The radio buttons, in order; also the suffix of their ids."""


class HostPicker(Vertical):
    """Pick a PostHog: a cloud region, or a self-hosted URL checked with `parse_host` as typed.

    Args:
        clouds: The cloud hosts (the demo swaps in loopback servers).
        initial: The host to preselect (from `--host` or `POSTHOG_HOST`); US Cloud when None.
        source: Where `initial` came from ("POSTHOG_HOST", "--host"), to say so; empty for none.
    """

    class Changed(Message):
        """The chosen host changed; `host` is None while the typed URL is not usable."""

        def __init__(self, picker: HostPicker, host: Host | None) -> None:
            super().__init__()
            self.picker = picker
            """The picker that changed."""
            self.host = host
            """The host now chosen, or None."""

        @property
        def control(self) -> HostPicker:
            """The picker (for `@on` selectors)."""
            return self.picker

    def __init__(
        self,
        clouds: Clouds,
        initial: Host | None = None,
        *,
        source: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="host-picker")
        self._clouds = clouds
        self._initial = initial or clouds.us
        self._source = source
        self._host: Host | None = self._initial
        self._error = ""

    @property
    def host(self) -> Host | None:
        """The chosen host, or None while the self-hosted URL is empty or invalid."""
        return self._host

    def compose(self) -> ComposeResult:
        initial_choice = self._choice_for(self._initial)
        yield Label("Where is your PostHog?", classes="host-picker-title")
        with RadioSet(id="host-choice"):
            yield RadioButton(
                self._cloud_label("US Cloud", self._clouds.us),
                value=initial_choice == "us",
                id="host-us",
            )
            yield RadioButton(
                self._cloud_label("EU Cloud", self._clouds.eu),
                value=initial_choice == "eu",
                id="host-eu",
            )
            yield RadioButton(
                "Self-hosted", value=initial_choice == "self-hosted", id="host-self-hosted"
            )
        url = self._initial.app_url if initial_choice == "self-hosted" else ""
        yield Input(
            url,
            placeholder="https://posthog.example.com",
            id="host-url",
            disabled=initial_choice != "self-hosted",
        )
        yield Static("", id="host-feedback")
        if self._source:
            yield Static(
                Text(f"Preselected from {self._source}.", style="italic"), id="host-source"
            )

    def on_mount(self) -> None:
        self._show_url_input(self._choice_for(self._initial) == "self-hosted")
        self._show_feedback()

    # -- choosing ---------------------------------------------------------------------------
    def select(self, host: Host) -> None:
        """Choose a host (for example the other cloud region) as if the user had picked it."""
        choice = self._choice_for(host)
        url_input = self.query_one("#host-url", Input)
        if choice == "self-hosted":
            url_input.value = host.app_url
        self._host = host
        button = self.query_one(f"#host-{choice}", RadioButton)
        if not button.value:
            # Pressing the button posts RadioSet.Changed, which settles `_host` again.
            button.value = True
        self._show_url_input(choice == "self-hosted")
        self._show_feedback()
        self.post_message(self.Changed(self, self._host))

    def _show_url_input(self, shown: bool) -> None:
        url_input = self.query_one("#host-url", Input)
        url_input.disabled = not shown
        url_input.display = shown

    def _choice_for(self, host: Host) -> str:
        if host == self._clouds.us:
            return "us"
        if host == self._clouds.eu:
            return "eu"
        return "self-hosted"

    @staticmethod
    def _cloud_label(name: str, host: Host) -> Text:
        label = Text(name)
        label.append(f"  {urlsplit(host.app_url).netloc}", style="dim")
        return label

    @on(RadioSet.Changed, "#host-choice")
    def _choice_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        choice = _CHOICES[event.index] if 0 <= event.index < len(_CHOICES) else "us"
        url_input = self.query_one("#host-url", Input)
        self._show_url_input(choice == "self-hosted")
        if choice == "self-hosted":
            self._host = self._parse(url_input.value)
            url_input.focus()
        else:
            self._host = self._clouds.us if choice == "us" else self._clouds.eu
        self._show_feedback()
        self.post_message(self.Changed(self, self._host))

    @on(Input.Changed, "#host-url")
    def _url_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._host = self._parse(event.value)
        self._show_feedback()
        self.post_message(self.Changed(self, self._host))

    @on(Input.Submitted, "#host-url")
    def _url_submitted(self, event: Input.Submitted) -> None:
        # Enter in the address field moves on to the ways in, when the address is usable.
        event.stop()
        if self._host is not None:
            self.screen.focus_next()

    def _parse(self, text: str) -> Host | None:
        self._error = ""
        try:
            return parse_host(text, self._clouds)
        except HostError as error:
            self._error = str(error)
            return None

    def _show_feedback(self) -> None:
        feedback = self.query_one("#host-feedback", Static)
        url_input = self.query_one("#host-url", Input)
        if url_input.disabled:
            host = self._host
            feedback.update(Text(f"Signs in at {host.app_url}" if host else "", style="dim"))
            feedback.set_class(False, "-error")
            return
        if self._host is None:
            message = self._error if url_input.value.strip() else ""
            feedback.update(Text(message or "Type your PostHog's address."))
            feedback.set_class(bool(message), "-error")
            return
        text = Text("✓ ", style="bold")
        text.append(self._host.app_url)
        if self._host.is_cloud:
            text.append(f" ({self._host.label})")
        feedback.update(text)
        feedback.set_class(False, "-error")
