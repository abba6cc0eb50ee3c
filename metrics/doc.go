// Package metrics computes the seven MambaAD evaluation metrics per class:
// image AUROC, AP and F1-max (image score = max of the anomaly map, label =
// any anomalous mask pixel), pixel AUROC, AP and F1-max over all pixels of
// the class, AU-PRO up to FPR 0.3, and mAD, their mean.
//
// Exact mode (the default) places a threshold at every distinct score,
// handles ties as scikit-learn does, and integrates AU-PRO the way the
// official MVTec AD evaluation does. Reference mode reproduces the
// fixed-threshold approximations of ADer, the toolkit behind the published
// MambaAD tables, so that numbers can be compared with them.
//
// Use: add images one at a time to a Class (or to an Evaluator, which
// routes them by class name), then Compute; an Evaluator gives a Table that
// writes JSON, CSV and Markdown.
//
// Everything pixel-level comes from one sort per class. Maps are turned into
// order-preserving integer keys as they are added (4 bytes per pixel for
// float32 maps, no float64 copies), split into normal pixels (keys only) and
// anomalous pixels (key plus ground-truth region, 8-connected as
// skimage.measure.label). Compute radix-sorts the two lists and sweeps them
// once in descending score order; every metric, the exact PRO curve and the
// reference checkpoints are updated as pixels cross the threshold, so
// AU-PRO costs no extra pass per threshold.
//
// Undefined metrics (a class without anomalous or without normal images or
// pixels) are NaN with a note saying why; scikit-learn would raise or warn
// instead of returning a number.
package metrics
