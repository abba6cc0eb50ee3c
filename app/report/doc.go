// Package report writes what `mambaad test` and `mambaad predict` produce
// besides the metric tables: anomaly heat maps over the input images,
// ground-truth contours, ROC / PR / PRO curves as PNG charts, per-class
// galleries of the most anomalous and some normal test images, and one
// self-contained HTML page that gathers all of it. Heat maps come with a
// colour bar (ColorBar) giving the scores of the colours and marking the
// threshold, and large pictures can be written row by row (SavePNGRows).
//
// The numbers themselves come from package metrics; this package only
// draws them. Where a chart needs curve points that metrics does not
// expose (image and pixel ROC, pixel PR), they are computed here: exactly
// for image scores, and for pixels from a streaming histogram (PixelHist)
// whose counts are exact at every bin edge, so a pixel curve is the exact
// curve sampled at a few thousand thresholds. Charts say so in their
// subtitle; the tables keep the exact values.
//
// Every file is written atomically (a temporary file in the target
// directory, then a rename), so an interrupted run never leaves a
// half-written PNG or HTML file behind under the final name.
package report
