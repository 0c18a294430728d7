#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed-*) from the repository's
own fixtures: the recorded streams, the personas, the example documents, the slash commands, the
gate's test lines and a small GGUF file built here. Run from the repository root; the output is
committed, so this only needs running again when the fixtures change."""
import json, pathlib, re, struct

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"

def put(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())

streams = sorted((root / "tests/fixtures/streams").iterdir())
for i, f in enumerate(p for p in streams if p.suffix == ".sse"):
    body = f.read_bytes()
    put("sse", f.stem, bytes([i * 37 % 256]) + body)
    datas = [l[5:].strip() for l in body.decode("utf-8", "replace").splitlines() if l.startswith("data:")]
    put("chunk", f.stem, b"\xff".join(d.encode() for d in datas))
for f in (p for p in streams if p.suffix == ".json"):
    put("chunk", f.stem, f.read_bytes())
    put("chunk", f.stem + "-error", b"\x01" + f.read_bytes())

for f in sorted((root / "personas").glob("*.yaml")) + sorted((root / "examples/personas").glob("*.yaml")):
    put("persona", f.stem, f.read_bytes())

for f in sorted((root / "examples").glob("*.yaml")):
    put("document", f.stem, f.read_bytes())
    try:
        import yaml  # optional: JSON twins of the YAML examples
        put("document", f.stem + "-json", json.dumps(yaml.safe_load(f.read_text()), default=str))
    except ImportError:
        pass

commands = ["/help", "/?", "/persona mitchell", "/model gpt-4o", "/provider local", "/detail compact",
            "/system be brief", "/new", "/sessions", "/load 3", "/rename disk full", "/export out.md",
            "/retry", "/usage", "/edit", "/postmortem", "/overview", "/health", "/quit", "//not a command",
            "plain text", "/unknown x"]
for i, c in enumerate(commands):
    put("slash_command", str(i), c)

lines = set(re.findall(r'"((?:[^"\\]|\\.)*)"', (root / "src/tools/gate/tests.rs").read_text()))
lines |= set(re.findall(r'parse\("((?:[^"\\]|\\.)*)"\)', (root / "src/tools/parse.rs").read_text()))
lines |= {"df -h /", "journalctl -u nginx | grep 'timed out' | tail -n 5", "kubectl get pods -A",
          "cat x; touch y", "echo \"$(id)\"", "ls > y", "grep 'a;b|c' log.txt | sort | uniq -c"}
for i, l in enumerate(sorted(lines)):
    put("gate", str(i), l.encode().decode("unicode_escape").encode("utf-8", "replace"))

def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

def gguf_file():
    kv = [("general.architecture", 8, gguf_string("llama")),
          ("general.name", 8, gguf_string("seed")),
          ("llama.context_length", 4, struct.pack("<I", 2048)),
          ("general.alignment", 4, struct.pack("<I", 32)),
          ("tokenizer.chat_template", 8, gguf_string("{{ messages }}")),
          ("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, 2) + gguf_string("a") + gguf_string("b"))]
    out = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv))
    for key, ty, value in kv:
        out += gguf_string(key) + struct.pack("<I", ty) + value
    out += gguf_string("token_embd.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 2) + struct.pack("<IQ", 0, 0)
    out += b"\0" * ((-len(out)) % 32) + b"\0" * 32
    return out

put("gguf", "small", gguf_file())
put("gguf", "bad-magic", b"GGUX" + gguf_file()[4:])
