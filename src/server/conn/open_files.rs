//! The connection cap against the process's open-file limit: each open
//! connection holds a file descriptor.

/// Fits the connection cap in the process's open-file limit, raising the
/// soft limit up to the hard one if needed. Returns the cap to use and,
/// when it had to be lowered, a warning.
pub fn fit_open_file_limit(wanted: usize) -> (usize, Option<String>) {
    // Listener, database files, readers, standard streams, with room to spare.
    const RESERVE: usize = 64;
    let Some(available) = raise_open_file_limit((wanted + RESERVE) as u64) else {
        return (wanted, None);
    };
    let fits = (available as usize).saturating_sub(RESERVE).max(1);
    if fits >= wanted {
        return (wanted, None);
    }
    let warning = format!(
        "the open-file limit ({available}) leaves room for {fits} connections, not {wanted}: \
         --max-connections is lowered to {fits} (raise the limit with `ulimit -n`)"
    );
    (fits, Some(warning))
}

/// Raises the soft open-file limit towards `needed` (up to the hard
/// limit); returns the soft limit now in force.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` everywhere
fn raise_open_file_limit(needed: u64) -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read or write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        let needed = needed as libc::rlim_t;
        if limit.rlim_cur == libc::RLIM_INFINITY || limit.rlim_cur >= needed {
            return Some(u64::MAX);
        }
        let raised = libc::rlimit {
            rlim_cur: if limit.rlim_max == libc::RLIM_INFINITY {
                needed
            } else {
                needed.min(limit.rlim_max)
            },
            rlim_max: limit.rlim_max,
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
            limit = raised;
        }
    }
    Some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn raise_open_file_limit(_needed: u64) -> Option<u64> {
    None
}
