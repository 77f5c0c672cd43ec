#!/usr/bin/env python3
"""Generates the KMS model's input constraints for the server's validator.

Reads the AWS KMS service model shipped with botocore (its data: shapes, members,
required, min/max, pattern, enum, sensitive; never its documentation text) and writes:

  src/Citadel.Server/Protocol/Model/kms-model.json   the input shapes of the model, trimmed
                                                      (a committed copy the tests read)
  src/Citadel.Server/Protocol/Model/KmsModel.g.cs     plain C# validation code per operation

The C# request type of each operation is read from src/Citadel.Server/Protocol/Operations.cs.
Run by hand after botocore or Operations.cs changes:

  python3 scripts/gen-kms-model.py            # regenerate
  python3 scripts/gen-kms-model.py --check    # exit 1 if the committed files are stale

A test (KmsModelTests) checks the generated file against the committed JSON (its SHA-256)
and walks every input shape of the JSON, so a stale or hand-edited file fails the build's tests.
"""

import gzip
import hashlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "src", "Citadel.Server", "Protocol", "Model")
JSON_OUT = os.path.join(OUT_DIR, "kms-model.json")
CS_OUT = os.path.join(OUT_DIR, "KmsModel.g.cs")
OPERATIONS_CS = os.path.join(ROOT, "src", "Citadel.Server", "Protocol", "Operations.cs")
REQUESTS_DIR = os.path.join(ROOT, "src", "Citadel.Server", "Protocol", "Requests")

# Structures nested in inputs and the C# types that carry them on the wire.
STRUCTURE_TYPES = {
    "Tag": "TagEntry",
    "GrantConstraints": "GrantConstraintsEntry",
    "RecipientInfo": "RecipientInfo",
    "XksProxyAuthenticationCredentialType": "XksProxyCredential",
}

# Beyond the model's data, from observation of AWS (kept from ModelEnums.cs, which the
# earlier hand-written validation used): AWS lists these enum sets in its own order in
# ValidationException messages, not the model's.
ENUM_ORDER = {
    "SigningAlgorithmSpec": [
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
        "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384",
        "ECDSA_SHA_512", "ED25519_SHA_512", "ED25519_PH_SHA_512", "SM2DSA", "ML_DSA_SHAKE_256",
    ],
    "MacAlgorithmSpec": ["HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"],
}

# Shapes whose values are secrets for Citadel although the model does not mark them
# sensitive: a value of these shapes is never echoed in an error message (nor, through it,
# in the audit trail).
SECRET_SHAPES = {"GrantTokenType"}

KEEP = ("type", "required", "min", "max", "pattern", "enum", "sensitive")


def model_path():
    import botocore  # noqa: the model ships with botocore

    return os.path.join(os.path.dirname(botocore.__file__), "data", "kms", "2014-11-01", "service-2.json.gz")


def trimmed_model():
    with gzip.open(model_path(), "rt", encoding="utf-8") as f:
        model = json.load(f)
    shapes = model["shapes"]
    operations = {}
    used = {}

    def visit(name):
        if name in used:
            return
        shape = shapes[name]
        out = {k: shape[k] for k in KEEP if k in shape}
        used[name] = out
        if shape["type"] == "structure":
            out["members"] = {m: {"shape": s["shape"]} for m, s in shape["members"].items()}
            for s in shape["members"].values():
                visit(s["shape"])
        elif shape["type"] == "list":
            out["member"] = shape["member"]["shape"]
            visit(shape["member"]["shape"])
        elif shape["type"] == "map":
            out["key"] = shape["key"]["shape"]
            out["value"] = shape["value"]["shape"]
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])

    for name in sorted(model["operations"]):
        op = model["operations"][name]
        if "input" in op:
            operations[name] = op["input"]["shape"]
            visit(op["input"]["shape"])

    return {
        "source": "botocore/data/kms/2014-11-01/service-2.json.gz",
        "apiVersion": model["metadata"]["apiVersion"],
        "operations": operations,
        "shapes": {k: used[k] for k in sorted(used)},
    }


def served_operations():
    """Operation name -> C# request type, from Operations.cs."""
    text = open(OPERATIONS_CS, encoding="utf-8").read()
    return dict(re.findall(r'Declare\(M\.(\w+), J\.Default\.(\w+),', text))


def csharp_properties():
    """C# request type -> {property: type}, from Protocol/Requests/*.cs."""
    types = {}
    for file in sorted(os.listdir(REQUESTS_DIR)):
        text = open(os.path.join(REQUESTS_DIR, file), encoding="utf-8").read()
        for cls, body in re.findall(r"class (\w+)(?:\s*:[^{]*)?\s*\{(.*?)\n\}", text, re.S):
            types[cls] = dict((n, t) for t, n in re.findall(r"public ([\w<>,\[\]? ]+?) (\w+) \{ get; set; \}", body))
    return types


def camel(name):
    return name[0].lower() + name[1:]


def cs_string(s):
    return json.dumps(s, ensure_ascii=True)


def dotnet_pattern(pattern):
    """The model's patterns are Java regular expressions matched against the whole value.
    .NET's ECMAScript option gives Java's ASCII \\w, \\d and \\s; \\A(?:…)\\z makes it a whole match."""
    return "\\A(?:" + pattern + ")\\z"


class Generator:
    def __init__(self, model, served, props):
        self.model = model
        self.shapes = model["shapes"]
        self.served = served
        self.props = props
        self.strings = {}  # string shape name -> C# initializer
        self.structs = {}  # structure shape name -> generated method text
        self.lines = []

    def string_shape(self, name):
        if name in self.strings:
            return f"Strings.{name}"
        s = self.shapes[name]
        args = []
        if "min" in s:
            args.append(f"Min = {s['min']}")
        if "max" in s:
            args.append(f"Max = {s['max']}")
        if "pattern" in s:
            args.append(f"Pattern = {cs_string(s['pattern'])}")
            args.append(f"Regex = Patterns.{name}()")
        if "enum" in s:
            values = ENUM_ORDER.get(name, s["enum"])
            assert sorted(values) == sorted(s["enum"]), f"ENUM_ORDER[{name}] no longer matches the model"
            args.append("Enum = [" + ", ".join(cs_string(v) for v in values) + "]")
        if s.get("sensitive") or name in SECRET_SHAPES:
            args.append("Secret = true")
        self.strings[name] = "new() { " + ", ".join(args) + " }" if args else "new()"
        return f"Strings.{name}"

    def has_checks(self, shape_name):
        s = self.shapes[shape_name]
        t = s["type"]
        if t == "string":
            return any(k in s for k in ("min", "max", "pattern", "enum"))
        if t in ("blob", "integer", "long"):
            return "min" in s or "max" in s
        if t in ("list", "map", "structure"):
            return True
        return False

    def member_checks(self, cs_type, shape_name, members, required, access, path_expr, indent):
        """Checks of one structure's members, in the model's member order."""
        out = []
        pad = " " * indent
        props = self.props.get(cs_type)
        if props is None:
            raise SystemExit(f"C# type {cs_type} not found in {REQUESTS_DIR}")
        for member, ref in members.items():
            shape = ref["shape"]
            if member not in props:
                raise SystemExit(f"{shape_name}.{member} (model) has no property on C# type {cs_type}: add it so it is read and validated")
            value = f"{access}.{member}"
            path = path_expr(camel(member))
            chunk = [f"{pad}v.Required({value}, {path});"] if member in required else []
            chunk.extend(self.value_checks(shape, value, path, props[member], indent))
            if chunk and out and (out[-1].strip() == "}" or chunk[0].strip().startswith("if ")):
                out.append("")  # a blank line between a block and the next statement
            out.extend(chunk)
        return out

    def value_checks(self, shape_name, value, path, cs_type, indent):
        pad = " " * indent
        s = self.shapes[shape_name]
        t = s["type"]
        if not self.has_checks(shape_name):
            return []
        if t == "string":
            return [f"{pad}v.String({value}, {path}, {self.string_shape(shape_name)});"]
        if t == "blob":
            return [f"{pad}v.BlobLength({value}, {path}, {s.get('min', 0)}, {s.get('max', 'int.MaxValue')});"]
        if t in ("integer", "long"):
            return [f"{pad}v.Range({value}, {path}, {s.get('min', 'int.MinValue')}, {s.get('max', 'int.MaxValue')});"]
        if t == "map":
            for part in ("key", "value"):
                if self.shapes[s[part]]["type"] != "string" or self.has_checks(s[part]):
                    raise SystemExit(f"map {shape_name}: constraints on its {part}s are not generated yet; extend gen-kms-model.py")
            if "min" in s or "max" in s:
                raise SystemExit(f"map {shape_name}: a size constraint is not generated yet; extend gen-kms-model.py")
            if shape_name == "EncryptionContextType":
                # Beyond the model: an encryption context becomes associated data, whose encoding carries
                # each key and value's UTF-8 length in 16 bits; what it cannot carry is refused (Validation.EncryptionContext).
                return [f"{pad}v.EncryptionContext({value}, {path});"]
            return [f"{pad}v.MapValuesNotNull({value}, {path});"]
        if t == "list":
            out = []
            if "min" in s or "max" in s:
                out.append(f"{pad}v.Count({value}, {path}, {s.get('min', 0)}, {s.get('max', 'int.MaxValue')});")
            member = self.shapes[s["member"]]
            if member["type"] == "string":
                out.append(f"{pad}v.StringMembers({value}, {path}, {self.string_shape(s['member'])});")
            elif member["type"] == "structure":
                self.structure(s["member"])
                out.append(f"{pad}if ({value} is {{ }} {camel(s['member'])}List)")
                out.append(f"{pad}{{")
                out.append(f"{pad}    for (var i = 0; i < {camel(s['member'])}List.Count; i++)")
                out.append(f"{pad}    {{")
                out.append(f"{pad}        var item = string.Concat({path}, \".\", (i + 1).ToString(CultureInfo.InvariantCulture), \".member\");")
                out.append(f"{pad}        v.Required({camel(s['member'])}List[i], item);")
                out.append(f"{pad}        if ({camel(s['member'])}List[i] is {{ }} entry)")
                out.append(f"{pad}        {{")
                out.append(f"{pad}            {s['member']}(entry, item, ref v);")
                out.append(f"{pad}        }}")
                out.append(f"{pad}    }}")
                out.append(f"{pad}}}")
            else:
                raise SystemExit(f"list {shape_name} of {member['type']} is not generated yet; extend gen-kms-model.py")
            return out
        if t == "structure":
            self.structure(shape_name)
            return [
                f"{pad}if ({value} is {{ }} {camel(shape_name)})",
                f"{pad}{{",
                f"{pad}    {shape_name}({camel(shape_name)}, {path}, ref v);",
                f"{pad}}}",
            ]
        raise SystemExit(f"{shape_name}: type {t} is not generated yet")

    def structure(self, name):
        if name in self.structs:
            return
        self.structs[name] = ""
        s = self.shapes[name]
        cs_type = STRUCTURE_TYPES.get(name)
        if cs_type is None:
            raise SystemExit(f"structure {name}: add its C# type to STRUCTURE_TYPES in gen-kms-model.py")
        body = self.member_checks(cs_type, name, s["members"], s.get("required", []), "value", lambda m: f"path + \".{m}\"", 8)
        self.structs[name] = "\n".join(
            [f"    private static void {name}({cs_type} value, string path, ref Validation v)", "    {"] + body + ["    }"])

    def input_field(self, op, method):
        cs_type = self.served[op]
        members = self.shapes[self.model["operations"][op]]["members"]
        keys = [m for m, ref in members.items() if ref["shape"] == "KeyIdType"]
        contexts = [m for m, ref in members.items() if ref["shape"] == "EncryptionContextType"]
        secrets = []
        for m, ref in members.items():
            shape = self.shapes[ref["shape"]]
            inner = self.shapes[shape["member"]] if shape["type"] == "list" else shape
            inner_name = shape["member"] if shape["type"] == "list" else ref["shape"]
            if inner.get("sensitive") or inner_name in SECRET_SHAPES:
                secrets.append(m)
        pad = " " * 12
        lines = [f"        public static readonly OperationInput<{cs_type}> {op} = new({cs_string(op)}, KmsModel.{method})", "        {"]
        if keys:
            lines.append(f"{pad}KeyMembers = [" + ", ".join(cs_string(k) for k in keys) + "],")
            lines.append(f"{pad}Key = static r => r.{keys[0]},")
        if len(keys) > 1:
            lines.append(f"{pad}SecondKey = static r => r.{keys[1]},")
        if "DryRun" in members:
            lines.append(f"{pad}DryRun = static r => r.DryRun,")
        if "GrantTokens" in members:
            lines.append(f"{pad}GrantTokens = static r => r.GrantTokens,")
        if contexts:
            lines.append(f"{pad}EncryptionContext = static r => r.{contexts[0]},")
        if len(contexts) > 1:
            lines.append(f"{pad}SecondEncryptionContext = static r => r.{contexts[1]},")
        lines.append(f"{pad}Secrets = [" + ", ".join(cs_string(m) for m in secrets) + "],")
        lines.append("        };")
        return "\n".join(lines)

    def generate(self, model_sha):
        ops = self.model["operations"]
        unserved = sorted(set(ops) - set(self.served))
        unknown = sorted(set(self.served) - set(ops))
        if unknown:
            raise SystemExit(f"Operations.cs serves operations the model does not have: {unknown}")
        methods = []
        method_of = {}  # operation -> generated method; operations whose checks are the same share one
        bodies = {}
        for op in sorted(self.served):
            cs_type = self.served[op]
            shape_name = ops[op]
            shape = self.shapes[shape_name]
            body = self.member_checks(cs_type, shape_name, shape["members"], shape.get("required", []), "r", lambda m: cs_string(m), 8)
            key = (cs_type, "\n".join(body))
            if key in bodies:
                method_of[op] = bodies[key]
                continue
            bodies[key] = method_of[op] = op
            methods.append("\n".join([f"    private static void {op}({cs_type} r, ref Validation v)", "    {"] + body + ["    }"]))

        L = []
        w = L.append
        w("// <auto-generated>")
        w("// Generated by scripts/gen-kms-model.py from the AWS KMS model in botocore")
        w(f"// ({self.model['source']}, API version {self.model['apiVersion']}). Do not edit: run the script.")
        w("// </auto-generated>")
        w("#nullable enable")
        w("using System.Globalization;")
        w("using System.Text.RegularExpressions;")
        w("using Citadel.Server.Protocol.Requests;")
        w("")
        w("namespace Citadel.Server.Protocol.Model;")
        w("")
        w("/// <summary>The KMS model's constraints on every input member of every served operation, as plain code.</summary>")
        w("internal static partial class KmsModel")
        w("{")
        w("    /// <summary>SHA-256 of kms-model.json, the model data this file was generated from.</summary>")
        w(f"    public const string ModelSha256 = \"{model_sha}\";")
        w("")
        w("    /// <summary>Operations of the model that the server does not serve (nothing generated for them).</summary>")
        w("    public static readonly string[] Unserved = [" + ", ".join(cs_string(o) for o in unserved) + "];")
        w("")
        w("    /// <summary>")
        w("    /// What the model says of each served operation's input, as data the pipeline acts on: the member that names")
        w("    /// the key (and the second one, ReEncrypt's destination), DryRun, GrantTokens, the encryption context, the")
        w("    /// members whose values are secret (sensitive in the model, or grant tokens), and the operation's validation.")
        w("    /// </summary>")
        w("    public static class Inputs")
        w("    {")
        for i, op in enumerate(sorted(self.served)):
            if i:
                w("")
            w(self.input_field(op, method_of[op]))
        w("    }")
        for m in methods:
            w("")
            w(m)
        for name in sorted(self.structs):
            w("")
            w(self.structs[name])
        w("")
        w("    private static class Strings")
        w("    {")
        for name in sorted(self.strings):
            w(f"        public static readonly StringShape {name} = {self.strings[name]};")
        w("    }")
        patterns = [n for n in sorted(self.strings) if "pattern" in self.shapes[n]]
        if patterns:
            w("")
            w("    private static partial class Patterns")
            w("    {")
            for i, name in enumerate(patterns):
                if i:
                    w("")
                w(f"        [GeneratedRegex({cs_string(dotnet_pattern(self.shapes[name]['pattern']))}, RegexOptions.ECMAScript)]")
                w(f"        public static partial Regex {name}();")
            w("    }")
        w("}")
        return "\n".join(L) + "\n"


def main():
    model = trimmed_model()
    json_text = json.dumps(model, indent=1, ensure_ascii=True) + "\n"
    sha = hashlib.sha256(json_text.encode("utf-8")).hexdigest()
    cs_text = Generator(model, served_operations(), csharp_properties()).generate(sha)
    if "--check" in sys.argv:
        stale = [p for p, t in ((JSON_OUT, json_text), (CS_OUT, cs_text))
                 if not os.path.exists(p) or open(p, encoding="utf-8").read() != t]
        if stale:
            print("stale: " + ", ".join(os.path.relpath(p, ROOT) for p in stale) + " (run scripts/gen-kms-model.py)")
            return 1
        print("up to date")
        return 0
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(JSON_OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(json_text)
    with open(CS_OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(cs_text)
    print(f"wrote {os.path.relpath(JSON_OUT, ROOT)} and {os.path.relpath(CS_OUT, ROOT)} ({len(model['operations'])} operations, sha256 {sha[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
