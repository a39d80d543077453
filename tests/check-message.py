# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads an e-mail with Python's email package, as a second opinion for
test-message: prints one "key<TAB>base64 of value" line per fact found."""

import base64
import email
import email.policy
import sys


def out(key, value):
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    sys.stdout.write("%s\t%s\n" % (key, base64.b64encode(value).decode("ascii")))


# RFC 2047 words in a quoted name= on Content-Type are against the RFC
# but what older mail programs read; rs-message writes them on purpose.
# They are counted apart, and only there.
NAME_DEFECTS = ("encoded word inside quoted string",
                "missing trailing whitespace after encoded-word")


def header_defects(msg, name_defects):
    found = [str(d) for d in msg.defects]
    for name, value in msg.items():
        for d in getattr(value, "defects", ()):
            if name.lower() == "content-type" and str(d) in NAME_DEFECTS:
                name_defects.append(str(d))
            else:
                found.append("%s: %s" % (name, d))
    return found


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)

    defects = header_defects(msg, [])
    out("subject", msg["subject"])
    sender = msg["from"].addresses[0]
    out("from_name", sender.display_name)
    out("from_address", sender.addr_spec)
    out("to", msg["to"].addresses[0].addr_spec)
    out("to_name", msg["to"].addresses[0].display_name)
    if msg["content-language"] is not None:
        out("content_language", msg["content-language"])
    if msg["reply-to"] is not None:
        out("reply_to", msg["reply-to"].addresses[0].addr_spec)
    out("message_id", msg["message-id"])
    out("date", msg["date"].datetime.isoformat())
    out("mime_version", msg["mime-version"])
    out("content_type", msg.get_content_type())

    parts = list(msg.walk()) if msg.is_multipart() else [msg]
    n = 0
    for part in parts:
        if part.is_multipart():
            continue
        name_defects = []
        defects += header_defects(part, name_defects) if part is not msg else []
        out("part%d.name_defects" % n, str(len(name_defects)))
        out("part%d.name" % n, part["content-type"].params.get("name", "")
            if part["content-type"] is not None else "")
        out("part%d.type" % n, part.get_content_type())
        out("part%d.payload" % n, part.get_payload(decode=True))
        disposition = part["content-disposition"]
        if disposition is not None:
            out("part%d.disposition" % n, disposition.content_disposition)
            out("part%d.filename" % n, disposition.params.get("filename", ""))
            out("part%d.filename_legacy" % n, part.get_filename(""))
        n += 1
    out("parts", str(n))
    out("defects", "\n".join(defects))


main()
