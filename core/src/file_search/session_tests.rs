use std::fs;
use std::time::Duration;

use pretty_assertions::assert_eq;

use super::*;
use crate::file_search::searcher::FileSearcher;

fn receive(events: &mut mpsc::Receiver<SessionEvent>) -> SessionEvent {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        match events.try_recv() {
            Ok(event) => return event,
            Err(mpsc::error::TryRecvError::Empty) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(error) => panic!("no session event: {error}"),
        }
    }
}

fn paths(event: SessionEvent) -> (String, Vec<String>) {
    match event {
        SessionEvent::Updated { query, files } => {
            (query, files.into_iter().map(|found| found.path).collect())
        }
        SessionEvent::Completed => panic!("expected an update"),
    }
}

#[test]
fn reports_the_empty_query_after_its_walk_then_each_query() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("alpha.txt"), "").expect("write");
    fs::write(dir.path().join("beta.txt"), "").expect("write");
    let searcher = Arc::new(FileSearcher::default());
    let (sender, mut events) = mpsc::channel(16);
    let session = searcher
        .start_session(vec![dir.path().display().to_string()], sender)
        .expect("started");
    assert_eq!(paths(receive(&mut events)), (String::new(), Vec::new()));
    assert_eq!(receive(&mut events), SessionEvent::Completed);
    session.update_query(1, "beta".to_string());
    assert_eq!(
        paths(receive(&mut events)),
        ("beta".to_string(), vec!["beta.txt".to_string()])
    );
    assert_eq!(receive(&mut events), SessionEvent::Completed);
    // An older number arriving late changes nothing; the newer one runs.
    session.update_query(3, "alpha".to_string());
    session.update_query(2, "beta".to_string());
    assert_eq!(
        paths(receive(&mut events)),
        ("alpha".to_string(), vec!["alpha.txt".to_string()])
    );
    assert_eq!(receive(&mut events), SessionEvent::Completed);
    drop(session);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !events.is_closed() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(events.is_closed(), "the session's thread ended");
}

#[test]
fn a_session_needs_a_root() {
    let searcher = Arc::new(FileSearcher::default());
    let (sender, _events) = mpsc::channel(1);
    assert!(matches!(
        searcher.start_session(Vec::new(), sender),
        Err(SearchError::NoRoots)
    ));
}
