#!/usr/bin/env python3
"""Lists the longest methods (and other members with a body) of the C# files under a folder.

Usage: scripts/longest-methods.py [folder=src] [count=10]

A member starts at a line that opens with a modifier (public, private, static, ...) and has a
parameter list; it ends where its brackets balance again after its body ({ } or => ...;). Lines
are counted from the signature to the closing line, blank lines and comments included. Generated
files (*.g.cs) and bin/obj are left out. A heuristic, not a parser: brackets inside string or
character literals that do not balance can lengthen a member; good enough to compare two trees.
"""
import os
import re
import sys

MODIFIER = re.compile(r'^\s*(?:\[[^\]]*\]\s*)*(?:public|private|internal|protected|static|async|override|sealed|virtual|partial|unsafe|extern|new|abstract)\b[^=;]*\(')
TYPE = re.compile(r'\b(?:class|struct|record|interface|enum)\b')
STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'')


def members(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if MODIFIER.match(line) and not TYPE.search(line.split('(')[0]):
            depth, opened, j = 0, False, i
            while j < len(lines):
                text = STRING.sub('""', lines[j]).split('//')[0]
                depth += sum(text.count(c) for c in '({[') - sum(text.count(c) for c in ')}]')
                opened = opened or '{' in text or '=>' in text
                if opened and depth <= 0 and (text.rstrip().endswith('}') or text.rstrip().endswith(';')):
                    break
                if not opened and depth <= 0 and text.rstrip().endswith(';'):
                    break  # an abstract or extern declaration: no body
                j += 1
            if opened:
                name = re.search(r'(\w+)\s*(?:<[^>]*>)?\s*\(', line)
                yield (j - i + 1, name.group(1) if name else '?', i + 1)
            i = j + 1
            continue
        i += 1


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else 'src'
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ('bin', 'obj')]
        for name in files:
            if name.endswith('.cs') and not name.endswith('.g.cs'):
                path = os.path.join(folder, name)
                found.extend((length, method, os.path.relpath(path, root), line) for length, method, line in members(path))
    found.sort(key=lambda m: (-m[0], m[2], m[3]))
    for length, method, path, line in found[:count]:
        print(f'{length:5}  {method}  {path}:{line}')


if __name__ == '__main__':
    main()
