//! `simulation.svg`: insulin on hand over time for each policy, the outage shaded and the days a
//! refill was missed marked, readable at a glance.

use plotters::prelude::*;

use super::{Policy, Report};

/// The item the chart follows: what a missed refill most often lacks.
const INSULIN: &str = "INS-400-10ML";

fn colour(policy: Policy) -> RGBColor {
    match policy {
        Policy::Static => RGBColor(120, 120, 120),
        Policy::Forecast => RGBColor(0, 102, 204),
    }
}

pub fn svg(report: &Report) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (960, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let days = report.policies.iter().map(|p| p.days.len()).max().unwrap_or(0).max(1);
        let top = report
            .policies
            .iter()
            .flat_map(|p| p.days.iter().map(|d| d.on_hand.get(INSULIN).copied().unwrap_or(0)))
            .max()
            .unwrap_or(0)
            .max(1) as f64
            * 1.1;
        let first = report.policies.first().and_then(|p| p.days.first()).map(|d| d.date);
        let mut chart = ChartBuilder::on(&root)
            .caption("Insulin vials on hand, day by day", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..days as f64, 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(match first {
                Some(date) => format!("days from {date}"),
                None => "days".to_owned(),
            })
            .y_desc("vials")
            .draw()
            .map_err(|e| e.to_string())?;
        // The outage, the same days for every policy.
        if let Some(p) = report.policies.first() {
            let outage: Vec<usize> = p
                .days
                .iter()
                .enumerate()
                .filter(|(_, d)| d.in_outage)
                .map(|(i, _)| i)
                .collect();
            if let (Some(start), Some(end)) = (outage.first(), outage.last()) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(*start as f64, 0.0), (*end as f64 + 1.0, top)],
                        RGBColor(255, 200, 120).mix(0.35).filled(),
                    )))
                    .map_err(|e| e.to_string())?
                    .label("supplier outage")
                    .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], RGBColor(255, 200, 120).filled()));
            }
        }
        for p in &report.policies {
            let name = format!("{:?}", p.policy).to_lowercase();
            let line = colour(p.policy);
            chart
                .draw_series(LineSeries::new(
                    p.days
                        .iter()
                        .enumerate()
                        .map(|(i, d)| (i as f64, d.on_hand.get(INSULIN).copied().unwrap_or(0) as f64)),
                    line.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(format!("{name}: {} refill(s) missed", p.refills_missed))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], line.stroke_width(2)));
            // A missed refill: a red mark on the axis under that policy's line.
            chart
                .draw_series(
                    p.days
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.missed > 0)
                        .map(|(i, _)| Cross::new((i as f64, top * 0.02), 4, RED.stroke_width(2))),
                )
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}
