//! Starting a server binary, waiting for it to accept requests, and reading
//! its memory use from `/proc`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::Error;

/// The maximum wait for the `listening on` line or the first 200 from health.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A server process started by the benchmark. Dropping it kills the process
/// by its pid and reaps it.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    /// The address from the `listening on http://HOST:PORT` line.
    pub address: SocketAddr,
    /// The instant just before the process was spawned.
    pub spawned_at: Instant,
}

impl ServerProcess {
    /// Spawns `binary` with `args` and waits for its
    /// `listening on http://HOST:PORT` line on stdout. Its stderr (the log) is
    /// discarded.
    ///
    /// # Errors
    ///
    /// When the binary cannot be spawned, exits, or prints no such line within
    /// 30 seconds.
    pub fn start(binary: &Path, args: &[&str]) -> Result<ServerProcess, Error> {
        let spawned_at = Instant::now();
        let mut child = Command::new(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("failed to start {}: {err}", binary.display()))?;

        let stdout = child.stdout.take().ok_or("the child has no stdout pipe")?;
        let (sender, receiver) = mpsc::channel();
        // The reader thread ends when the child exits and its stdout closes.
        // Lines before the `listening on` line are skipped, so a wrapper such
        // as a profiler may print its own.
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let found = loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => break None,
                    Ok(_) => {
                        if let Some(address) = parse_listening_line(&line) {
                            break Some(address);
                        }
                    }
                    Err(_) => break None,
                }
            };
            let _ = sender.send(found);
            // Drain the rest, so that the child does not block on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });

        let address = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Some(address)) => address,
            Ok(None) => {
                kill(&mut child);
                return Err(format!(
                    "{} closed its output without a `listening on http://HOST:PORT` line",
                    binary.display()
                )
                .into());
            }
            Err(_) => {
                kill(&mut child);
                return Err(format!(
                    "{} printed no `listening on` line within {START_TIMEOUT:?}",
                    binary.display()
                )
                .into());
            }
        };
        Ok(ServerProcess {
            child,
            address,
            spawned_at,
        })
    }

    /// Returns the process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `GET /_mock/health` until it returns 200 and returns the instant
    /// of that response.
    ///
    /// # Errors
    ///
    /// When no 200 comes within 30 seconds.
    pub fn wait_healthy(&self) -> Result<Instant, Error> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if health_is_ok(self.address) {
                return Ok(Instant::now());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "GET /_mock/health on {} did not answer 200 within {START_TIMEOUT:?}",
                    self.address
                )
                .into());
            }
            thread::sleep(Duration::from_micros(200));
        }
    }

    /// Reads the peak resident set size so far (`VmHWM`), in bytes.
    ///
    /// # Errors
    ///
    /// When `/proc/<pid>/status` cannot be read, as on systems without procfs.
    pub fn peak_rss_bytes(&self) -> Result<u64, Error> {
        proc_status_kib(self.pid(), "VmHWM").map(|kib| kib * 1024)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Parses the address in `listening on http://HOST:PORT`.
pub fn parse_listening_line(line: &str) -> Option<SocketAddr> {
    line.trim()
        .strip_prefix("listening on http://")?
        .trim_end_matches('/')
        .parse()
        .ok()
}

/// Sends one `GET /_mock/health` on a new connection and returns whether the
/// response is a 200.
fn health_is_ok(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let _ = stream.set_nodelay(true);
    let request =
        format!("GET /_mock/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/1.1 200"
}

/// Reads a `kB` field of `/proc/<pid>/status`, such as `VmHWM` or `VmRSS`.
///
/// # Errors
///
/// When the file cannot be read or has no such field.
pub fn proc_status_kib(pid: u32, field: &str) -> Result<u64, Error> {
    let path = format!("/proc/{pid}/status");
    let status =
        std::fs::read_to_string(&path).map_err(|err| format!("failed to read {path}: {err}"))?;
    status
        .lines()
        .find_map(|line| {
            let value = line.strip_prefix(field)?.strip_prefix(':')?;
            value.trim().strip_suffix("kB")?.trim().parse().ok()
        })
        .ok_or_else(|| format!("{path} has no {field} field").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_line_parses() {
        let address = parse_listening_line("listening on http://127.0.0.1:4480\n");
        assert_eq!(address, Some("127.0.0.1:4480".parse().unwrap()));
    }

    #[test]
    fn other_line_is_rejected() {
        assert_eq!(parse_listening_line("starting"), None);
        assert_eq!(parse_listening_line("listening on http://nowhere"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn own_peak_rss_is_read() {
        let kib = proc_status_kib(std::process::id(), "VmHWM").unwrap();
        assert!(kib > 0);
    }
}
