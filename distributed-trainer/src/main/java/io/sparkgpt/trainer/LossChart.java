package io.sparkgpt.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss curve (train and validation loss against tokens seen) as a PNG, drawn by XChart. */
public final class LossChart {
    private LossChart() {}

    public static byte[] png(List<RoundMetrics> rounds, String title) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("tokens seen").yAxisTitle("loss (nats/token)").build();
        chart.getStyler().setMarkerSize(5);
        List<Double> tx = new ArrayList<>();
        List<Double> ty = new ArrayList<>();
        List<Double> vx = new ArrayList<>();
        List<Double> vy = new ArrayList<>();
        for (RoundMetrics r : rounds) {
            if (Double.isFinite(r.trainLoss())) {
                tx.add((double) r.tokensSeen());
                ty.add(r.trainLoss());
            }
            if (r.valLoss() != null && Double.isFinite(r.valLoss())) {
                vx.add((double) r.tokensSeen());
                vy.add(r.valLoss());
            }
        }
        if (tx.isEmpty()) {
            tx.add(0.0);
            ty.add(0.0);
        }
        XYSeries train = chart.addSeries("train (mean over the round's local steps)", tx, ty);
        train.setMarker(SeriesMarkers.NONE);
        if (!vx.isEmpty()) {
            chart.addSeries("validation", vx, vy).setMarker(SeriesMarkers.CIRCLE);
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the loss chart", e);
        }
    }

    /** Every figure of {@link RoundMetrics#metrics()} against tokens seen, one series per name. */
    public static byte[] metricsPng(List<RoundMetrics> rounds, String title) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("tokens seen").yAxisTitle("value").build();
        chart.getStyler().setMarkerSize(5);
        java.util.Map<String, List<double[]>> series = new java.util.TreeMap<>();
        for (RoundMetrics r : rounds) {
            if (r.metrics() != null) {
                r.metrics().forEach((k, v) -> {
                    if (v != null && Double.isFinite(v)) {
                        series.computeIfAbsent(k, x -> new ArrayList<>()).add(new double[] {r.tokensSeen(), v});
                    }
                });
            }
        }
        if (series.isEmpty()) {
            chart.addSeries("(no figures)", List.of(0.0), List.of(0.0));
        }
        series.forEach((k, pts) -> chart.addSeries(k, pts.stream().map(p -> p[0]).toList(),
                pts.stream().map(p -> p[1]).toList()).setMarker(SeriesMarkers.CIRCLE));
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the metrics chart", e);
        }
    }
}
