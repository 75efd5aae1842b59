// A NOTIFY_SOCKET for the system tests that drive the real systemd-notify(1).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { until } from '../daemon/harness.js';

/**
 * A NOTIFY_SOCKET like systemd's: an AF_UNIX datagram socket. Node cannot open one, so a few lines of
 * Perl (perl-base is essential on Debian) receive the datagrams. recv() without a control buffer closes
 * the fd of systemd-notify's BARRIER=1, which is exactly the acknowledgement systemd-notify waits for.
 */
export class NotifySocket {
  readonly messages: string[] = [];
  private proc!: ChildProcess;
  constructor(readonly path: string) {}

  async start(): Promise<this> {
    const script = `use Socket; my $p = $ARGV[0]; socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!"; unlink $p;
      bind($s, pack_sockaddr_un($p)) or die "bind: $!"; $| = 1; print "LISTENING\\n";
      while (1) { my $b; defined(recv($s, $b, 65536, 0)) or die "recv: $!"; $b =~ s/\\n/\\x1e/g; print "$b\\n"; }`;
    this.proc = spawn('perl', ['-e', script, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rl = createInterface({ input: this.proc.stdout! });
    let listening = false;
    rl.on('line', (l) => {
      if (l === 'LISTENING') listening = true;
      else if (l !== 'BARRIER=1') this.messages.push(l.replace(/\x1e/g, '\n'));
    });
    await until('the notify socket', () => listening && existsSync(this.path), 5000);
    return this;
  }

  /** Messages that carry `KEY=value` (each message may hold several assignments). */
  with(assignment: string): string[] {
    return this.messages.filter((m) => m.split('\n').includes(assignment));
  }

  stop(): void {
    this.proc.kill();
  }
}
