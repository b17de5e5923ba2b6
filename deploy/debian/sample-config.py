"""Turns `jtrove config-keys` (read on standard input) into the commented default jtrove.conf of jtrove-common.

Like oslo-config-generator's sample files: every key under its section, commented out, with its meaning and its
default, so an operator uncomments what to change. Secrets have no default and say so.
"""
import re
import sys
import textwrap

sections = {}
key = None
for line in sys.stdin:
    head = re.match(r"^\[([^\]]+)\] (\S+) = ?(.*)$", line.rstrip("\n"))
    if head:
        key = {"name": head.group(2), "default": head.group(3), "text": [], "env": ""}
        sections.setdefault(head.group(1), []).append(key)
    elif key is not None and line.strip().startswith("environment:"):
        key["env"] = line.strip()
    elif key is not None and line.strip():
        key["text"].append(line.strip())

print("# jtrove.conf: the configuration of jtrove's services (jtrove api, taskmanager, conductor, guestagent and")
print("# jtrove manage), read as oslo.config reads Trove's trove.conf. Every key is shown with its default,")
print("# commented out. Generated from `jtrove config-keys`; deployment tools (the jtrove Puppet module) set keys")
print("# one by one. Unknown keys stop the services; the oslo options deployment tools write for every OpenStack")
print("# service are accepted with a warning.")
order = ["DEFAULT"] + sorted(s for s in sections if s != "DEFAULT")
for name in order:
    print()
    print(f"[{name}]")
    for k in sections[name]:
        print()
        for text in k["text"]:
            for wrapped in textwrap.wrap(text, 110):
                print(f"# {wrapped}")
        if k["env"]:
            print(f"# ({k['env']})")
        print(f"#{k['name']} = {k['default']}".rstrip())
