package main

import (
	"fmt"
	"os"
	"os/signal"
	"text/tabwriter"

	"github.com/mambaad/mambaad/weights"
	"github.com/spf13/cobra"
)

// newWeightsCmd is `mambaad weights`: the pretrained encoder backbones,
// fetched once and verified, so that training and inference never need the
// network.
func newWeightsCmd() *cobra.Command { return weightsCmd(weights.Known()) }

// weightsCmd builds the command tree over a registry; tests pass one whose
// digests match their fake payloads.
func weightsCmd(reg weights.Registry) *cobra.Command {
	var cacheDir string
	store := func() (*weights.Store, error) {
		s, err := weights.NewStore(cacheDir)
		if err != nil {
			return nil, err
		}
		s.Registry = reg
		return s, nil
	}
	cmd := &cobra.Command{
		Use:   "weights",
		Short: "List, download and import the pretrained encoder backbones",
		Long: `MambaAD's encoder is a frozen ImageNet ResNet. Its weights are fetched once
into a cache and verified (SHA-256, or the digest prefix in the file name,
or — where nothing is published — their tensor names and shapes), so that
training and inference run offline.

The cache is --cache-dir, else $MAMBAAD_CACHE, else the user cache directory
plus mambaad/weights. $MAMBAAD_WEIGHTS_URL (or download --url) points
downloads at a mirror that holds the files under the names "list" shows.`,
		Example: `  mambaad weights list
  mambaad weights download resnet34
  mambaad weights import ~/Downloads/resnet34-b627a593.pth --name resnet34
  mambaad weights path resnet34`,
	}
	cmd.PersistentFlags().StringVar(&cacheDir, "cache-dir", "",
		"weights cache directory (default $MAMBAAD_CACHE, else <user cache dir>/mambaad/weights)")
	cmd.AddCommand(weightsListCmd(store), weightsDownloadCmd(store), weightsImportCmd(store), weightsPathCmd(store))
	return cmd
}

func weightsListCmd(store func() (*weights.Store, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Show the known backbones, how each is verified, and what the cache holds",
		Long: `List the known backbones: the file each is stored as, its size where
upstream publishes one, how a download is verified, and whether the cache
holds it (cached: the upstream file; imported: a local file that fits the
backbone; partial: an interrupted download that will resume; missing).`,
		Example: `  mambaad weights list
  mambaad weights list --cache-dir /data/weights`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := store()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tFILE\tSIZE\tVERIFY\tSTATUS\tPATH")
			for _, e := range s.Registry {
				p, state := s.Status(e)
				status := state.String()
				if state == weights.Partial {
					if st, err := os.Stat(p); err == nil {
						status = fmt.Sprintf("partial (%.1f MiB)", float64(st.Size())/(1<<20))
					}
				}
				size := "-"
				if e.MiB > 0 {
					size = fmt.Sprintf("%.1f MiB", e.MiB)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.File, size, e.Verification(), status, p)
			}
			return tw.Flush()
		},
	}
}

func weightsDownloadCmd(store func() (*weights.Store, error)) *cobra.Command {
	var opts weights.Options
	cmd := &cobra.Command{
		Use:   "download NAME...",
		Short: "Fetch backbones into the cache, verified and resumable",
		Long: `Download the named backbones into the cache. Each file is written to
<file>.part and only renamed into place once verified, so a failed or
corrupt download never looks like weights. An interrupted download
(Ctrl-C, network error, stalled server) keeps its .part file: run the same
command again to resume it. A file that fails verification is deleted.`,
		Example: `  mambaad weights download resnet34
  mambaad weights download resnet18 wide_resnet50_2 --quiet
  mambaad weights download resnet34 --url https://mirror.example.com/weights`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := store()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			opts.Progress = cmd.ErrOrStderr()
			for _, name := range args {
				e, err := s.Registry.Lookup(name)
				if err != nil {
					return err
				}
				if p, state := s.Status(e); state == weights.Cached {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: already cached at %s\n", name, p)
					continue
				}
				p, err := s.Download(ctx, name, opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (verified: %s)\n", name, p, e.Verification())
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress bar")
	cmd.Flags().StringVar(&opts.BaseURL, "url", "",
		"fetch from this mirror (base URL holding the files by name) instead of upstream; default $MAMBAAD_WEIGHTS_URL")
	return cmd
}

func weightsImportCmd(store func() (*weights.Store, error)) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "import FILE --name NAME",
		Short: "Copy a local .pth or .safetensors file into the cache as a backbone",
		Long: `Import a checkpoint fetched elsewhere (for a machine without network
access). The file must parse and hold the backbone's stem and layer1-layer3
tensors with the right shapes. If its SHA-256 matches the upstream file it
is stored as that file; otherwise (a re-export, a fine-tune, another
container) it is stored as <name>.imported.<ext> and used the same way.`,
		Example: `  mambaad weights import resnet34-b627a593.pth --name resnet34
  mambaad weights import model.safetensors --name timm/resnet34.a1_in1k`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := store()
			if err != nil {
				return err
			}
			im, err := s.Import(args[0], name)
			if err != nil {
				return err
			}
			e, _ := s.Registry.Lookup(name) // Import succeeded, so name is known
			what := "the upstream file, its SHA-256 matches"
			switch {
			case !im.Upstream && e.Verification() == weights.Structural:
				what = "no published digest to compare with; its trunk tensors fit " + name
			case !im.Upstream:
				what = "not the upstream file (SHA-256 " + im.SHA256 + "), but its trunk tensors fit " + name
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %s as %s: %s (%s)\n", args[0], name, im.Path, what)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the backbone the file holds (see \"mambaad weights list\")")
	cmd.MarkFlagRequired("name")
	return cmd
}

func weightsPathCmd(store func() (*weights.Store, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "path NAME",
		Short: "Print the local file of a backbone, or say how to get it",
		Long: `Print the path of a backbone's weights in the cache (the upstream file,
else an imported one). When they are missing, the error names the file to
fetch and where to put it.`,
		Example: `  mambaad weights path resnet34
  ls -l "$(mambaad weights path resnet34)"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := store()
			if err != nil {
				return err
			}
			if _, err := s.Registry.Lookup(args[0]); err != nil {
				return err
			}
			p, err := s.Resolve(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), p)
			return nil
		},
	}
}
