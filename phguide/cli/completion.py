"""`phguide completion bash|zsh|fish`: a completion script, made from the parser itself."""

from __future__ import annotations

import argparse

from phguide.cli.output import EXIT_OK, Io

__all__ = ["completion", "completion_script"]

SHELLS = ("bash", "zsh", "fish")


def _commands(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Subcommand name → its options; "" → the main parser's options."""
    found: dict[str, list[str]] = {"": _options(parser)}
    # argparse has no public way to walk its parsers; these attributes have been stable for years.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = _options(sub)
    return found


def _valued(parser: argparse.ArgumentParser) -> set[str]:
    """The long options, anywhere, that take a value (the next word is not a subcommand)."""
    parsers = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(action.choices.values())
    return {
        option
        for each in parsers
        for action in each._actions
        if action.nargs != 0 and action.option_strings
        for option in action.option_strings
        if option.startswith("--")
    }


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        option
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
        if option.startswith("--")
    )


def _bash(commands: dict[str, list[str]], valued: set[str]) -> str:
    names = " ".join(name for name in commands if name)
    takes_value = "|".join(sorted(valued))
    cases = "\n".join(
        f'        {name}) opts="{" ".join(options)}" ;;'
        for name, options in commands.items()
        if name
    )
    return f"""# phguide completion for bash: eval "$(phguide completion bash)"
_phguide() {{
    local cur command opts i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    command=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {takes_value}) ((i++)) ;;
            -*) ;;
            *) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$command" in
{cases}
        *) opts="{" ".join(commands[""])}" ;;
    esac
    if [[ "${{COMP_WORDS[COMP_CWORD-1]}}" == --host ]]; then
        COMPREPLY=($(compgen -W "us eu" -- "$cur"))
    elif [[ -z "$command" && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "{names}" -- "$cur"))
    elif [[ "$command" == completion && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "{" ".join(SHELLS)}" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}}
complete -F _phguide phguide
"""


def _zsh(commands: dict[str, list[str]], valued: set[str]) -> str:
    # zsh runs bash completion functions through bashcompinit.
    return (
        '# phguide completion for zsh: eval "$(phguide completion zsh)"\n'
        "autoload -U +X bashcompinit && bashcompinit\n" + _bash(commands, valued).split("\n", 1)[1]
    )


def _fish(commands: dict[str, list[str]], valued: set[str]) -> str:
    names = " ".join(name for name in commands if name)
    lines = [
        "# phguide completion for fish: phguide completion fish | source",
        "complete -c phguide -f",
        f"complete -c phguide -n 'not __fish_seen_subcommand_from {names}' -a '{names}'",
    ]
    lines += [f"complete -c phguide -l {option[2:]}" for option in commands[""]]
    lines.append("complete -c phguide -l host -x -a 'us eu'")
    for name, options in commands.items():
        if name:
            seen = f"__fish_seen_subcommand_from {name}"
            lines += [f"complete -c phguide -n '{seen}' -l {option[2:]}" for option in options]
    lines.append(
        f"complete -c phguide -n '__fish_seen_subcommand_from completion' -a '{' '.join(SHELLS)}'"
    )
    return "\n".join(lines) + "\n"


def completion_script(shell: str, parser: argparse.ArgumentParser | None = None) -> str:
    """The completion script for a shell (bash, zsh or fish), for `parser` (`cli.parser`'s
    by default)."""
    if parser is None:
        from phguide.cli.parser import build_parser

        parser = build_parser()
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](_commands(parser), _valued(parser))


def completion(shell: str, io: Io, parser: argparse.ArgumentParser | None = None) -> int:
    """Print the script for a shell (it needs the command line only: no context)."""
    io.stdout.write(completion_script(shell, parser))
    return EXIT_OK
