"""A real SMTP server on loopback for the forwarding tests, built on Debian's python3-aiosmtpd.

    /usr/bin/python3 smtp_sink.py PORT MAILDIR MODE_FILE

Each message is answered by what MODE_FILE says when it arrives: `accept` (or no file) stores it
in the Maildir MAILDIR and answers 250; `451` refuses it for now; `550` refuses it for good;
`hold` keeps the sender waiting for a minute, then refuses it for now (a server that stops
answering in the middle of a delivery); `slow SECONDS` keeps it waiting that long, then stores it. Prints `ready` once it listens; runs until killed.
With SINK_LOG set, each stored message adds a line `<arrival, ms since the epoch> <Message-ID>`
to that file, and each held one a line `held <Message-ID>`.
"""

import asyncio
import mailbox
import os
import pathlib
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir, mode_file):
        self.maildir = maildir
        self.mode_file = pathlib.Path(mode_file)

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode_file.read_text().strip() if self.mode_file.exists() else "accept"
        if mode == "hold":
            self.log(f"held {message_id(envelope)}")
            await asyncio.sleep(60)
            return "451 4.3.0 Held too long, try again later"
        if mode.startswith("slow "):
            await asyncio.sleep(float(mode.split()[1]))
            mode = "accept"
        if mode == "451":
            return "451 4.3.0 Mailbox busy, try again later"
        if mode == "550":
            return "550 5.1.1 No such mailbox here"
        mailbox.Maildir(self.maildir, create=True).add(envelope.original_content)
        self.log(f"{int(time.time() * 1000)} {message_id(envelope)}")
        return "250 2.0.0 Stored"

    def log(self, line):
        path = os.environ.get("SINK_LOG")
        if path:
            with open(path, "a") as out:
                out.write(line + "\n")


def message_id(envelope):
    return mailbox.mboxMessage(envelope.original_content)["Message-ID"]


def main():
    port, maildir, mode_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    controller = Controller(Sink(maildir, mode_file), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
    signal.pause()


if __name__ == "__main__":
    main()
