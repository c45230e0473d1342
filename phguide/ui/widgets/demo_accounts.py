"""The demo's sign-ins on the log-in screen of `phguide --demo`; choosing one fills the form."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from phguide.services import DemoAccount
from phguide.ui.hanging import Hanging


class DemoAccounts(Vertical):
    """The demo accounts and what each one shows.

    Args:
        accounts: The accounts, from `DemoInfo.accounts`.
        id: The widget id.
    """

    class Chosen(Message):
        """The user picked an account (Enter or a click)."""

        def __init__(self, account: DemoAccount) -> None:
            super().__init__()
            self.account = account
            """The account picked."""

    def __init__(self, accounts: list[DemoAccount], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="demo-accounts")
        self._accounts = accounts

    def compose(self) -> ComposeResult:
        passwords = {account.password for account in self._accounts}
        shared = passwords.pop() if len(passwords) == 1 else None
        title = Text("Demo accounts", style="bold")
        if shared is not None:
            title.append(f"\npassword: {shared}", style="not bold")
        title.append("\nEnter fills the password form.", style="not bold dim")
        yield Static(title, classes="demo-accounts-title")
        options = []
        for n, account in enumerate(self._accounts):
            parts = [(account.email, "bold"), (f"\n  {account.note}", "not bold")]
            if shared is None:
                parts.append((f"\n  password: {account.password}", "not bold"))
            # A note that wraps goes on under its own text, not under the email.
            prompt = Hanging(Content.assemble(*parts))
            options.append(Option(prompt, id=f"demo-account-{n}"))
        yield OptionList(*options, id="demo-account-list")

    @on(OptionList.OptionSelected, "#demo-account-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._accounts):
            self.post_message(self.Chosen(self._accounts[event.option_index]))
