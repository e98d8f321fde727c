"""A real SMTP server on loopback for the forwarding tests, built on Debian's python3-aiosmtpd.

    /usr/bin/python3 smtp_sink.py PORT MAILDIR MODE_FILE

Each message is answered by what MODE_FILE says when it arrives: `accept` (or no file) stores it
in the Maildir MAILDIR and answers 250; `451` refuses it for now; `550` refuses it for good.
Prints `ready` once it listens; runs until killed. With SINK_LOG set, each stored message also
adds a line `<arrival, ms since the epoch> <Message-ID>` to that file (for the benchmark).
"""

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
        if mode == "451":
            return "451 4.3.0 Mailbox busy, try again later"
        if mode == "550":
            return "550 5.1.1 No such mailbox here"
        mailbox.Maildir(self.maildir, create=True).add(envelope.original_content)
        log = os.environ.get("SINK_LOG")
        if log:
            arrived = int(time.time() * 1000)
            message = mailbox.mboxMessage(envelope.original_content)
            with open(log, "a") as out:
                out.write(f"{arrived} {message['Message-ID']}\n")
        return "250 2.0.0 Stored"


def main():
    port, maildir, mode_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    controller = Controller(Sink(maildir, mode_file), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
    signal.pause()


if __name__ == "__main__":
    main()
