//! The printed report: one table with a row per figure and a column per command, then each command's notes.

use std::path::Path;
use std::time::SystemTime;

use crate::figures::CommandResults;
use crate::figures::FIGURES;
use crate::options::BenchOptions;

/// `YYYY-MM-DD HH:MM UTC` from the system clock (days-to-civil conversion, proleptic Gregorian).
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let days = (seconds / 86_400) as i64;
    let minute_of_day = (seconds % 86_400) / 60;
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

fn machine_description() -> String {
    let cores = std::thread::available_parallelism()
        .map(|cores| cores.get().to_string())
        .unwrap_or_else(|_| "?".to_string());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|cpuinfo| {
            cpuinfo
                .lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!(
        "{cores} cores available ({cpu}), {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// A short column title: the program's file name plus its arguments.
fn column_title(command_line: &str) -> String {
    let mut words = command_line.split_whitespace();
    let program = words.next().unwrap_or("").trim_matches(['\'', '"']);
    let program = Path::new(program)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.to_string());
    std::iter::once(program)
        .chain(words.map(str::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The results as one table, a column per command, with the machine, the date and each command's notes.
pub(crate) fn print_table(options: &BenchOptions, results: &[CommandResults]) {
    let mut rows = vec![{
        let mut header = vec!["figure".to_string(), "unit".to_string()];
        header.extend(
            options
                .server_commands
                .iter()
                .enumerate()
                .map(|(index, command)| format!("[{}] {}", index + 1, column_title(command))),
        );
        header
    }];
    for figure in FIGURES {
        let mut row = vec![figure.label(options.delta_count), figure.unit().to_string()];
        row.extend(
            results
                .iter()
                .map(|result| result.cell(figure, options.iterations)),
        );
        rows.push(row);
    }
    let column_count = rows[0].len();
    let widths: Vec<usize> = (0..column_count)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();

    println!();
    println!("machine: {}", machine_description());
    println!("date:    {}", utc_now());
    println!(
        "cells:   median / p90 over {} iterations (a fresh server process each); \"(k/N)\" = only k samples",
        options.iterations
    );
    println!();
    for (index, row) in rows.iter().enumerate() {
        let line = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join(" | ");
        println!("{}", line.trim_end());
        if index == 0 {
            let rule = widths
                .iter()
                .map(|width| "-".repeat(*width))
                .collect::<Vec<_>>()
                .join("-|-");
            println!("{rule}");
        }
    }
    println!();
    for (index, (command, result)) in options.server_commands.iter().zip(results).enumerate() {
        println!("[{}] {command}", index + 1);
        if result.gave_up {
            println!("    stopped after the first timeout");
        }
        for note in &result.notes {
            println!("    {note}");
        }
    }
    println!("server stderr logs: {}", options.log_dir.display());
}
