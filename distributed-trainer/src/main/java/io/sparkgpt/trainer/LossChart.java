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
}
