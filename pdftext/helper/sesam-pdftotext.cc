// sesam-pdftotext: poppler's "pdftotext -tsv -enc UTF-8" for many files in one process.
//
// Starting pdftotext costs more than reading a small PDF: loading poppler's libraries
// and its global parameters takes about 20 ms of processor time, the text of a one-page
// letter 2 ms. The importer feeds this helper one absolute path per line on standard
// input and reads back, for each, the same word list pdftotext would print:
//
//   <n>\n followed by n bytes       a chunk of the word list (the header, then one per page)
//   0\n                             the end of a document read in full
//   -<reason>\n                     the document could not be read here
//
// On a failure the importer runs pdftotext itself on that file, under its limits, so
// that the reason it records is pdftotext's own: this helper never judges a file.
// The word list is written as pdftotext 22.x's printTSVBBox writes it, to the byte
// (including its PAGE row, which repeats the last coordinates written before it);
// pdftext's tests compare the two on every PDF of the shared corpus.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include <GlobalParams.h>
#include <PDFDoc.h>
#include <TextOutputDev.h>
#include <goo/GooString.h>

namespace {

// appendf appends printf-formatted text to out.
template <typename... Args> void appendf(std::string &out, const char *format, Args... args) {
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, format, args...);
    if (n < 0) {
        return;
    }
    if (static_cast<size_t>(n) < sizeof buf) {
        out.append(buf, n);
        return;
    }
    std::string big(n + 1, '\0');
    std::snprintf(big.data(), big.size(), format, args...);
    out.append(big.data(), n);
}

void chunk(const std::string &s) {
    if (s.empty()) {
        return;
    }
    std::fprintf(stdout, "%zu\n", s.size());
    std::fwrite(s.data(), 1, s.size(), stdout);
}

// wordList writes the word list of one document, page by page. It returns false, with
// a reason, when the document cannot be read here.
bool wordList(const std::string &path, std::string &why) {
    auto doc = std::make_unique<PDFDoc>(std::make_unique<GooString>(path));
    if (!doc->isOk()) {
        why = "open: error " + std::to_string(doc->getErrorCode());
        return false;
    }
    if (!doc->okToCopy()) {
        why = "copy not allowed";
        return false;
    }
    auto text = std::make_unique<TextOutputDev>(nullptr, false, 0, false, false, false);
    if (!text->isOk()) {
        why = "text output";
        return false;
    }
    chunk("level\tpage_num\tpar_num\tblock_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n");
    const int pages = doc->getNumPages();
    double xMin = 0, yMin = 0, xMax = 0, yMax = 0;
    std::string out;
    for (int page = 1; page <= pages; ++page) {
        out.clear();
        appendf(out, "%d\t%d\t%d\t%d\t%d\t%d\t%f\t%f\t%f\t%f\t%d\t###PAGE###\n", 1, page, 0, 0, 0, 0, xMin, yMin,
                doc->getPageMediaWidth(page), doc->getPageMediaHeight(page), -1);
        doc->displayPage(text.get(), page, 72, 72, 0, true, false, false);
        int flowNum = 0;
        for (const TextFlow *flow = text->getFlows(); flow; flow = flow->getNext(), ++flowNum) {
            int blockNum = 0;
            for (const TextBlock *blk = flow->getBlocks(); blk; blk = blk->getNext(), ++blockNum) {
                blk->getBBox(&xMin, &yMin, &xMax, &yMax);
                appendf(out, "%d\t%d\t%d\t%d\t%d\t%d\t%f\t%f\t%f\t%f\t%d\t###FLOW###\n", 3, page, flowNum, blockNum, 0, 0, xMin,
                        yMin, xMax - xMin, yMax - yMin, -1);
                int lineNum = 0;
                for (const TextLine *line = blk->getLines(); line; line = line->getNext(), ++lineNum) {
                    double lxMin = 1E+37, lyMin = 1E+37, lxMax = 0, lyMax = 0;
                    std::string words;
                    int wordNum = 0;
                    for (const TextWord *word = line->getWords(); word; word = word->getNext(), ++wordNum) {
                        word->getBBox(&xMin, &yMin, &xMax, &yMax);
                        lxMin = std::min(lxMin, xMin);
                        lyMin = std::min(lyMin, yMin);
                        lxMax = std::max(lxMax, xMax);
                        lyMax = std::max(lyMax, yMax);
                        std::unique_ptr<GooString> s(word->getText());
                        // Words are written by GooString, which rounds halves up, not as printf does.
                        GooString row;
                        row.appendf("{0:d}\t{1:d}\t{2:d}\t{3:d}\t{4:d}\t{5:d}\t{6:.2f}\t{7:.2f}\t{8:.2f}\t{9:.2f}\t{10:d}\t", 5, page,
                                    flowNum, blockNum, lineNum, wordNum, xMin, yMin, xMax - xMin, yMax - yMin, 100);
                        words.append(row.c_str(), row.getLength());
                        words.append(s->c_str(), s->getLength());
                        words.push_back('\n');
                    }
                    appendf(out, "%d\t%d\t%d\t%d\t%d\t%d\t%f\t%f\t%f\t%f\t%d\t###LINE###\n", 4, page, flowNum, blockNum, lineNum, 0,
                            lxMin, lyMin, lxMax - lxMin, lyMax - lyMin, -1);
                    out += words;
                }
            }
        }
        chunk(out);
    }
    return true;
}

} // namespace

int main() {
    globalParams = std::make_unique<GlobalParams>();
    globalParams->setTextEncoding("UTF-8");
    globalParams->setErrQuiet(true);
    std::string path;
    while (std::getline(std::cin, path)) {
        std::string why;
        if (path.empty() || path[0] != '/') {
            why = "not an absolute path";
        } else if (wordList(path, why)) {
            std::fputs("0\n", stdout);
            std::fflush(stdout);
            continue;
        }
        std::fprintf(stdout, "-%s\n", why.c_str());
        std::fflush(stdout);
    }
    return 0;
}
