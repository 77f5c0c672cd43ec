#!/usr/bin/env python3
"""Lists the longest methods (and constructors) of the C# sources under a folder, by lines.

    python3 scripts/longest-methods.py [FOLDER] [--most N]

FOLDER defaults to src. Build output (obj/, bin/) and generated files (*.g.cs) are left out.
A method starts at a declaration line (modifiers, a return type or none, a name, an opening
parenthesis) and ends at the brace that closes its body, or at the ';' of an expression body;
braces are counted outside string and character literals and comments. It reads text, not
syntax: a measure for comparing two trees, not a compiler. Prints "lines  file:line  name".
"""
import os
import re
import sys

MODIFIERS = r"(?:public|private|internal|protected|static|async|override|virtual|sealed|abstract|partial|unsafe|extern|new|readonly|required|file)"
START = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:" + MODIFIERS + r"\s+)+(?:[\w<>\[\],\.\?\(\) ]+?\s+)?(?P<name>[A-Za-z_]\w*)\s*(?:<[^>()]*>)?\s*\(")
NOT_A_METHOD = re.compile(r"\b(class|record|struct|interface|enum|delegate|event)\b|=\s*new\b|\bnew\s*\(")
STRING = re.compile(r'@?\$*"""[\s\S]*?"""|@\$?"(?:[^"]|"")*"|\$?@"(?:[^"]|"")*"|\$*"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])+\'')


def code_only(line):
    line = STRING.sub('""', line)
    cut = line.find("//")
    return line if cut < 0 else line[:cut]


def methods(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    i = 0
    in_comment = False
    while i < len(lines):
        raw = lines[i]
        if in_comment:
            if "*/" in raw:
                in_comment = False
            i += 1
            continue
        if raw.strip().startswith("/*") and "*/" not in raw:
            in_comment = True
            i += 1
            continue
        m = START.match(raw)
        if not m or NOT_A_METHOD.search(code_only(raw)):
            i += 1
            continue
        # Find the body: the first '{' or '=>' after the parameter list; a ';' first means no body (abstract, extern, partial).
        depth = 0
        j = i
        end = None
        opened = False
        expression = False
        while j < len(lines):
            code = code_only(lines[j])
            for k, ch in enumerate(code):
                if not opened and not expression:
                    if ch == ";":
                        end = -1
                        break
                    if ch == "=" and code[k:k + 2] == "=>" and depth == 0:
                        expression = True
                        continue
                if ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
                    if opened and depth == 0 and not expression:
                        end = j
                        break
                elif ch == ";" and expression and depth == 0:
                    end = j
                    break
            if end is not None:
                break
            j += 1
        if end is None or end < 0:
            i += 1
            continue
        yield end - i + 1, i + 1, m.group("name")
        i = end + 1


def main():
    args = sys.argv[1:]
    most = 10
    if "--most" in args:
        at = args.index("--most")
        most = int(args[at + 1])
        del args[at:at + 2]
    root = args[0] if args else "src"
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("obj", "bin")]
        for name in files:
            if name.endswith(".cs") and not name.endswith(".g.cs"):
                path = os.path.join(folder, name)
                for length, line, method in methods(path):
                    found.append((length, os.path.relpath(path, root), line, method))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    for length, path, line, method in found[:most]:
        print(f"{length:5d}  {path}:{line}  {method}")


if __name__ == "__main__":
    main()
