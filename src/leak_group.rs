//! Identical leaks as one: the same kind made at the same place, counted, and described together.
//!
//! This is the one place that decides which leaks are "the same": the `LeakError` text groups by it, and the
//! reporter's summary, JSON and HTML page show the groups it gives (the JS side asks for them through
//! `binding::group_leaks`). The key is the kind and the creation site (without a site, the top of the stack, so a
//! dependency's loop is one group); a listener's event too, so that a library's loop over signals stays apart.
//!
//! A group's description says what tells its members apart, over all of them: a number that differs is a range
//! (`Interval every 60000–61999 ms`, `pid 4100–4131`), ports of one host too (`127.0.0.1:41000–41999`), and any
//! other value that differs is the first and how many more (`/tmp/a.log and 3 more`). A range is the smallest and
//! the largest value, not a claim that every value between was seen.

use crate::leak_report::{describe, format_delay, CreationSite, DescriptionWords, Leak};
use crate::resource_kind::ResourceKind;
use crate::stack_frame::StackFrame;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Leaks of one kind made at one place, in the order they were given.
#[derive(Debug)]
pub struct LeakGroup<'a> {
    pub members: Vec<&'a Leak>,
    /// Where each member is in the list grouped.
    pub indices: Vec<usize>,
}

impl<'a> LeakGroup<'a> {
    pub fn first(&self) -> &'a Leak {
        self.members[0]
    }

    pub fn count(&self) -> usize {
        self.members.len()
    }

    /// The members in words, as one: a value that differs among them as a range or the first and how many more.
    pub fn description(&self) -> String {
        let first = self.first();
        if self
            .members
            .iter()
            .all(|leak| leak.description == first.description)
        {
            return first.description.clone();
        }
        describe(first.kind, &group_words(&self.members))
    }
}

/// What makes leaks "the same"; without a site, the top of the stack stands for the place.
#[derive(Hash, PartialEq, Eq)]
struct GroupKey<'a> {
    kind: ResourceKind,
    event: Option<&'a str>,
    site: Option<&'a CreationSite>,
    /// A helper's line called from two places (a publisher and a subscriber from one `createRedis()`) is two groups:
    /// the callers differ.
    user_frames: &'a [StackFrame],
    top_frames: &'a [StackFrame],
}

/// The leaks grouped, each group in the order of its first member.
pub fn group_leaks(leaks: &[Leak]) -> Vec<LeakGroup<'_>> {
    let mut groups: Vec<LeakGroup<'_>> = Vec::new();
    let mut by_key: HashMap<GroupKey<'_>, usize> = HashMap::new();
    for (index, leak) in leaks.iter().enumerate() {
        let key = GroupKey {
            kind: leak.kind,
            event: leak.event.as_deref(),
            site: leak.site.as_ref(),
            user_frames: &leak.user_frames,
            top_frames: if leak.site.is_some() {
                &[]
            } else {
                &leak.top_frames
            },
        };
        match by_key.get(&key) {
            Some(&group) => {
                groups[group].members.push(leak);
                groups[group].indices.push(index);
            }
            None => {
                by_key.insert(key, groups.len());
                groups.push(LeakGroup {
                    members: vec![leak],
                    indices: vec![index],
                });
            }
        }
    }
    groups
}

/// A group as the JS side receives it: its description, and where its members are in the list it gave.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakGroupSummary {
    pub count: usize,
    pub description: String,
    pub members: Vec<usize>,
}

pub fn summarize_groups(leaks: &[Leak]) -> Vec<LeakGroupSummary> {
    group_leaks(leaks)
        .into_iter()
        .map(|group| LeakGroupSummary {
            count: group.count(),
            description: group.description(),
            members: group.indices,
        })
        .collect()
}

fn group_words(members: &[&Leak]) -> DescriptionWords {
    let texts = |value: fn(&Leak) -> Option<&str>| {
        merge_texts(members.iter().filter_map(|leak| value(leak)))
    };
    let integers = |value: fn(&Leak) -> Option<i64>| {
        merge_integers(members.iter().filter_map(|leak| value(leak)))
    };
    DescriptionWords {
        local: merge_addresses(
            members
                .iter()
                .filter_map(|leak| leak.details.local_address.as_deref()),
        ),
        peer: merge_addresses(
            members
                .iter()
                .filter_map(|leak| leak.details.peer_address.as_deref()),
        ),
        pid: integers(|leak| leak.details.pid),
        command: texts(|leak| leak.details.command.as_deref()),
        path: texts(|leak| leak.details.path.as_deref()),
        fd: integers(|leak| leak.details.fd),
        delay: merge_delays(members.iter().filter_map(|leak| leak.details.delay_ms)),
        thread_id: integers(|leak| leak.details.thread_id),
        signal: texts(|leak| leak.details.signal.as_deref()),
        object: texts(|leak| leak.details.object.as_deref()),
        event: texts(|leak| leak.event.as_deref()),
        emitter: texts(|leak| leak.emitter.as_deref()),
    }
}

/// The distinct values in the order first seen.
fn distinct<'v>(values: impl Iterator<Item = &'v str>) -> Vec<&'v str> {
    let mut seen = HashSet::new();
    values.filter(|value| seen.insert(*value)).collect()
}

fn first_and_more(first: &str, others: usize) -> String {
    if others == 0 {
        first.to_owned()
    } else {
        format!("{first} and {others} more")
    }
}

fn merge_texts<'v>(values: impl Iterator<Item = &'v str>) -> Option<String> {
    let values = distinct(values);
    let first = values.first()?;
    Some(first_and_more(first, values.len() - 1))
}

fn range<T: PartialOrd + Copy>(values: impl Iterator<Item = T>) -> Option<(T, T)> {
    values.fold(None, |range, value| match range {
        None => Some((value, value)),
        Some((low, high)) => Some((
            if value < low { value } else { low },
            if value > high { value } else { high },
        )),
    })
}

fn range_text(low: String, high: String) -> String {
    if low == high {
        low
    } else {
        format!("{low}–{high}")
    }
}

fn merge_integers(values: impl Iterator<Item = i64>) -> Option<String> {
    let (low, high) = range(values)?;
    Some(range_text(low.to_string(), high.to_string()))
}

fn merge_delays(values: impl Iterator<Item = f64>) -> Option<String> {
    let values: Vec<f64> = values.collect();
    if values.is_empty() {
        return None;
    }
    // A delay that is not a number is shown as `?` on its own; among numbers it says nothing of the range.
    match range(values.iter().copied().filter(|delay| delay.is_finite())) {
        Some((low, high)) => Some(range_text(format_delay(low), format_delay(high))),
        None => Some(format_delay(f64::NAN)),
    }
}

/// `host:port` → (host, port); the host may hold colons itself (`[::1]:80`).
fn host_and_port(address: &str) -> Option<(&str, u32)> {
    let (host, port) = address.rsplit_once(':')?;
    Some((host, port.parse().ok()?))
}

/// One address; the ports of one host as a range; else the first and how many more.
fn merge_addresses<'v>(values: impl Iterator<Item = &'v str>) -> Option<String> {
    let values = distinct(values);
    let first = *values.first()?;
    if values.len() == 1 {
        return Some(first.to_owned());
    }
    let parsed: Option<Vec<(&str, u32)>> = values
        .iter()
        .map(|address| host_and_port(address))
        .collect();
    if let Some(parsed) = parsed {
        let host = parsed[0].0;
        if parsed.iter().all(|(other, _)| *other == host) {
            if let Some((low, high)) = range(parsed.iter().map(|(_, port)| *port)) {
                return Some(format!(
                    "{host}:{}",
                    range_text(low.to_string(), high.to_string())
                ));
            }
        }
    }
    Some(first_and_more(first, values.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leak_report::LeakDetails;

    fn leak(kind: ResourceKind, line: u32, details: LeakDetails) -> Leak {
        let words = DescriptionWords::of(&details, None, None);
        Leak {
            async_id: 0,
            kind,
            async_type: String::new(),
            description: describe(kind, &words),
            details,
            has_ref: true,
            site: Some(CreationSite {
                function: None,
                file: "a.test.js".into(),
                absolute_file: "/app/a.test.js".into(),
                line,
                column: 3,
            }),
            user_frames: Vec::new(),
            top_frames: Vec::new(),
            made_inside: None,
            cause: None,
            note: None,
            emitter: None,
            event: None,
            retainer_path: None,
        }
    }

    fn interval(delay: f64) -> Leak {
        leak(
            ResourceKind::Interval,
            5,
            LeakDetails {
                delay_ms: Some(delay),
                ..LeakDetails::default()
            },
        )
    }

    fn socket(local: &str, peer: &str) -> Leak {
        leak(
            ResourceKind::TcpSocket,
            8,
            LeakDetails {
                local_address: Some(local.into()),
                peer_address: Some(peer.into()),
                ..LeakDetails::default()
            },
        )
    }

    #[test]
    fn delays_that_differ_read_as_a_range_and_equal_ones_as_one() {
        let leaks: Vec<Leak> = (0..2000)
            .map(|i| interval(60_000.0 + f64::from(i)))
            .collect();
        let groups = group_leaks(&leaks);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].count(), 2000);
        assert_eq!(groups[0].description(), "Interval every 60000–61999 ms");
        let same = [interval(30_000.0), interval(30_000.0)];
        assert_eq!(
            group_leaks(&same)[0].description(),
            "Interval every 30000 ms"
        );
        let fractions = [interval(0.5), interval(2.0)];
        assert_eq!(
            group_leaks(&fractions)[0].description(),
            "Interval every 0.5–2 ms"
        );
        let not_a_number = [interval(f64::NAN), interval(f64::NAN)];
        assert_eq!(
            group_leaks(&not_a_number)[0].description(),
            "Interval every ? ms"
        );
    }

    #[test]
    fn ports_of_one_host_read_as_a_range_other_addresses_as_the_first_and_more() {
        let leaks: Vec<Leak> = (0..3)
            .map(|i| socket(&format!("127.0.0.1:{}", 41000 + i * 7), "127.0.0.1:6379"))
            .collect();
        assert_eq!(
            group_leaks(&leaks)[0].description(),
            "TCP socket 127.0.0.1:41000–41014 -> 127.0.0.1:6379"
        );
        let hosts: Vec<Leak> = (1..=2000)
            .map(|i| {
                socket(
                    "127.0.0.1:41000",
                    &format!("10.0.{}.{}:80", i / 256, i % 256),
                )
            })
            .collect();
        assert_eq!(
            group_leaks(&hosts)[0].description(),
            "TCP socket 127.0.0.1:41000 -> 10.0.0.1:80 and 1999 more"
        );
        let ipv6 = [
            socket("[::1]:5000", "[::1]:80"),
            socket("[::1]:5003", "[::1]:80"),
        ];
        assert_eq!(
            group_leaks(&ipv6)[0].description(),
            "TCP socket [::1]:5000–5003 -> [::1]:80"
        );
    }

    #[test]
    fn texts_read_as_the_first_and_more_and_pids_as_a_range() {
        let child = |pid: i64, command: &str| {
            leak(
                ResourceKind::ChildProcess,
                3,
                LeakDetails {
                    pid: Some(pid),
                    command: Some(command.into()),
                    ..LeakDetails::default()
                },
            )
        };
        let leaks = [
            child(4131, "sleep 5"),
            child(4100, "sleep 5"),
            child(4120, "sleep 9"),
        ];
        assert_eq!(
            group_leaks(&leaks)[0].description(),
            "Child process pid 4100–4131 (sleep 5 and 1 more)"
        );
    }

    #[test]
    fn kinds_sites_and_events_keep_groups_apart_in_the_order_first_seen() {
        let mut listener_a = leak(ResourceKind::Listener, 9, LeakDetails::default());
        listener_a.event = Some("SIGTERM".into());
        let mut listener_b = listener_a.clone();
        listener_b.event = Some("SIGINT".into());
        let leaks = vec![
            interval(1.0),
            socket("127.0.0.1:1", "127.0.0.1:2"),
            interval(2.0),
            leak(ResourceKind::Interval, 6, LeakDetails::default()),
            listener_a.clone(),
            listener_b,
            listener_a,
        ];
        let groups = group_leaks(&leaks);
        let shape: Vec<(ResourceKind, usize, Vec<usize>)> = groups
            .iter()
            .map(|group| (group.first().kind, group.count(), group.indices.clone()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (ResourceKind::Interval, 2, vec![0, 2]),
                (ResourceKind::TcpSocket, 1, vec![1]),
                (ResourceKind::Interval, 1, vec![3]),
                (ResourceKind::Listener, 2, vec![4, 6]),
                (ResourceKind::Listener, 1, vec![5]),
            ]
        );
    }

    #[test]
    fn without_a_site_the_top_of_the_stack_is_the_place() {
        let frame = |line| StackFrame {
            function: None,
            file: "/app/node_modules/ioredis/a.js".into(),
            line,
            column: 1,
            is_async: false,
        };
        let mut a = socket("127.0.0.1:1", "127.0.0.1:6379");
        a.site = None;
        a.top_frames = vec![frame(54)];
        let mut b = socket("127.0.0.1:2", "127.0.0.1:6379");
        b.site = None;
        b.top_frames = a.top_frames.clone();
        let mut c = a.clone();
        c.top_frames = vec![frame(60)];
        let leaks = [a, b, c];
        let groups = group_leaks(&leaks);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0].description(),
            "TCP socket 127.0.0.1:1–2 -> 127.0.0.1:6379"
        );
    }
}
