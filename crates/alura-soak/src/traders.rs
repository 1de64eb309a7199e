//! The trader processes, one per language: started, their calls read as they print them, and
//! their memory and descriptors sampled while they run.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::protocol::{self, Call};
use crate::usage::{self, Sample};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Language {
    Rust,
    Python,
    Node,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::Node => "node",
        }
    }
}

/// Where the other languages' runtimes are.
pub struct Programs {
    pub python: PathBuf,
    pub node_package: PathBuf,
}

/// The scripts beside this crate's sources.
fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("traders").join(name)
}

pub struct Trader {
    pub language: Language,
    child: Child,
    reader: Option<JoinHandle<Result<Vec<Call>>>>,
    pub usage: Vec<Sample>,
    stderr: PathBuf,
}

impl Trader {
    pub fn start(
        language: Language,
        programs: &Programs,
        url: &str,
        (duration, seed, clients): (Duration, u64, usize),
        logs: &Path,
    ) -> Result<Self> {
        let arguments = protocol::arguments(url, duration, seed, clients);
        let mut command = match language {
            Language::Rust => {
                let mut c = Command::new(std::env::current_exe()?);
                c.arg("trade");
                c
            }
            Language::Python => {
                let mut c = Command::new(&programs.python);
                c.arg(script("trader.py"));
                c
            }
            Language::Node => {
                let mut c = Command::new("node");
                c.arg(script("trader.mjs")).env("ALURA_SOAK_PACKAGE", &programs.node_package);
                c
            }
        };
        let stderr = logs.join(format!("{}.stderr", language.name()));
        let mut child = command
            .args(&arguments)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr)?)
            .spawn()
            .with_context(|| format!("starting the {} trader", language.name()))?;
        let stdout = child.stdout.take().context("its stdout")?;
        let reader = std::thread::spawn(move || {
            let mut calls = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                calls
                    .push(serde_json::from_str(&line).with_context(|| format!("a trader printed {line:?}"))?);
            }
            Ok(calls)
        });
        Ok(Self { language, child, reader: Some(reader), usage: Vec::new(), stderr })
    }

    pub fn sample(&mut self, at: Duration) {
        self.usage.extend(usage::sample(self.child.id(), at));
    }

    /// Waits for it to end on its own, up to `patience`; its calls.
    pub fn finish(mut self, patience: Duration) -> Result<(Language, Vec<Call>, Vec<Sample>)> {
        let name = self.language.name();
        let until = Instant::now() + patience;
        let status = loop {
            if let Some(status) = self.child.try_wait()? {
                break status;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                bail!("the {name} trader did not stop in time: see {}", self.stderr.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if !status.success() {
            bail!("the {name} trader failed ({status}): see {}", self.stderr.display());
        }
        let reader = self.reader.take().context("read once")?;
        let calls = reader.join().map_err(|_| anyhow::anyhow!("the {name} reader panicked"))??;
        Ok((self.language, calls, std::mem::take(&mut self.usage)))
    }
}

impl Drop for Trader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
