// Package predict scores new images with a trained model: anomaly score, verdict against a stored or given threshold, and per image a heat-map overlay with a legend and a binary mask, both at the input image's own resolution (the preprocessing undone, see WriteImages), and the calibration of that threshold.
package predict
