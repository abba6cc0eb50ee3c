package dwconv

// The plain-Go NHWC row kernels, for non-amd64 builds and the Generic
// level. They share the drivers and the blocked table layout with the
// assembly (16 lanes), looping over the lanes of a channel vector where the
// assembly has one instruction.

const goLanes = 16

var nhwcGo = nhwcKernels{lanes: goLanes, fwd: fwdRowsGo, wgt: wgtRowsGo}

// tapCols returns the kernel columns [b0, b1) that stay inside a row of w
// pixels for output column j.
func tapCols(j, w, k int) (b0, b1 int) {
	p := k / 2
	return max(0, p-j), min(k, w+p-j)
}

func fwdRowsGo(k int, y, x, tbl []float32, rows, w, c, xs, ys, a0, na int, _ *[8]int32) {
	p, xrs, yrs, blk := k/2, w*xs, w*ys, (1+k*k)*goLanes
	for r := 0; r < rows; r++ {
		for j := 0; j < w; j++ {
			b0, b1 := tapCols(j, w, k)
			for ch0 := 0; ch0 < c; ch0 += goLanes {
				nl := min(goLanes, c-ch0)
				tb := tbl[ch0/goLanes*blk : ch0/goLanes*blk+blk]
				var acc [goLanes]float32
				copy(acc[:], tb[:goLanes])
				for a := a0; a < a0+na; a++ {
					row := x[(r+a-a0)*xrs:]
					for b := b0; b < b1; b++ {
						xv := row[(j+b-p)*xs+ch0 : (j+b-p)*xs+ch0+nl]
						wv := tb[(1+a*k+b)*goLanes : (2+a*k+b)*goLanes]
						for l, v := range xv {
							acc[l] += wv[l] * v
						}
					}
				}
				copy(y[r*yrs+j*ys+ch0:r*yrs+j*ys+ch0+nl], acc[:nl])
			}
		}
	}
}

func wgtRowsGo(k int, part, x, dy []float32, xoff, dyoff, rows, w, nch, xs, ds, nfull, tail, va0, va1 int, _ *[8]int32) {
	p, xrs, drs, kk := k/2, w*xs, w*ds, k*k
	blk := (1 + kk) * goLanes
	for cv := 0; cv < nfull+tail; cv++ {
		nl := min(goLanes, nch-cv*goLanes)
		var acc [1 + 49][goLanes]float32
		for r := 0; r < rows; r++ {
			for j := 0; j < w; j++ {
				b0, b1 := tapCols(j, w, k)
				at := dyoff + r*drs + j*ds + cv*goLanes
				g := dy[at : at+nl]
				for l, v := range g {
					acc[0][l] += v
				}
				for a := va0; a < va1; a++ {
					for b := b0; b < b1; b++ {
						s := xoff + (r+a-p)*xrs + (j+b-p)*xs + cv*goLanes
						xv := x[s : s+nl]
						t := &acc[1+a*k+b]
						for l, v := range xv {
							t[l] += v * g[l]
						}
					}
				}
			}
		}
		pb := part[cv*blk : (cv+1)*blk]
		for t := 0; t <= kk; t++ {
			for l := 0; l < nl; l++ {
				pb[t*goLanes+l] += acc[t][l]
			}
		}
	}
}
